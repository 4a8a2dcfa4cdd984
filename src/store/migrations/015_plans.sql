-- 015_plans: response plans and their playbooks (issue 15, items 2 and 3).
--
-- plan_outline: the outline a plan is built in (regulation.md §8, Thông tư
-- 20/2017 Phụ lục III), as data: an administrator changes it through the
-- API without a rebuild. kind says what ungcuu pre-fills the section with
-- (state, risks, consequences, resources, priorities, scenarios,
-- organisation, training, equipment, budget, implementation, text: none).
CREATE TABLE plan_outline (
	code TEXT PRIMARY KEY,
	position INTEGER NOT NULL,
	kind TEXT NOT NULL,
	title_vi TEXT NOT NULL,
	title_en TEXT NOT NULL,
	guidance TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,   -- the outline's version is the highest (If-Match)
	updated_at BIGINT NOT NULL
);

INSERT INTO plan_outline (code, position, kind, title_vi, title_en, guidance, updated_at) VALUES
('state', 1, 'state', 'Hiện trạng và năng lực bảo đảm an toàn thông tin', 'Current state and capability',
 'Các hệ thống thông tin đang vận hành và cấp độ; nhân lực, năng lực hiện có.', 0),
('risks', 2, 'risks', 'Đánh giá, dự báo nguy cơ, sự cố tấn công mạng', 'Risk and attack forecast',
 'Theo sổ đăng ký rủi ro của từng hệ thống.', 0),
('consequences', 3, 'consequences', 'Đánh giá hậu quả, thiệt hại khi xảy ra sự cố', 'Consequences and damage',
 'Ảnh hưởng tới hoạt động, người dân, dữ liệu khi từng hệ thống ngừng hoạt động.', 0),
('resources', 4, 'resources', 'Phương án về nguồn lực, đơn vị hỗ trợ ứng cứu', 'Resources and support, contractors included',
 'Đội ứng cứu, nhà thầu, đơn vị hỗ trợ và đầu mối liên hệ.', 0),
('priorities', 5, 'priorities', 'Nguyên tắc ưu tiên duy trì hoạt động của hệ thống khi ứng cứu', 'Priority rules for keeping systems running during response',
 'Bắt buộc: thứ tự ưu tiên khôi phục và duy trì hoạt động.', 0),
('scenarios', 6, 'scenarios', 'Phương án ứng phó theo từng kịch bản sự cố', 'Response option per incident scenario',
 'Mỗi kịch bản: xác định nguyên nhân, nguồn gốc; ngăn chặn, cô lập; thu thập chứng cứ; gỡ bỏ; khôi phục; đơn vị điều phối, hỗ trợ.', 0),
('organisation', 7, 'organisation', 'Tổ chức: trực, đầu mối chính và dự phòng, đội ứng cứu', 'Organisation: duty, main and backup focal points, team',
 '', 0),
('training', 8, 'training', 'Đào tạo, huấn luyện, diễn tập, giám sát', 'Training, drills, monitoring',
 'Diễn tập thực tế hằng năm đối với hệ thống cấp độ 3 trở lên.', 0),
('equipment', 9, 'equipment', 'Trang thiết bị, công cụ phục vụ ứng cứu', 'Equipment and tools', '', 0),
('budget', 10, 'budget', 'Kinh phí thực hiện', 'Budget', '', 0),
('implementation', 11, 'implementation', 'Tổ chức thực hiện', 'Implementation', '', 0);

-- One row per version of a plan. A plan belongs to an organisation, and to
-- one of its systems of level 4-5 when the law asks a separate plan for it
-- (system_id; NULL: the organisation's plan). Versions of one (org, system)
-- are numbered 1, 2, ... (number). status: draft | submitted | approved |
-- superseded; only a draft is edited; approving one supersedes the
-- approved version before it. sections: JSON [{code, kind, title_vi,
-- title_en, text}] in the outline's order at creation; scenarios: JSON
-- [{threat, steps: [{phase, text}], coordinator, support}] -- each
-- scenario's response option is also the playbook its incidents get.
CREATE TABLE plans (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	system_id TEXT REFERENCES systems(id),
	number INTEGER NOT NULL,
	based_on TEXT REFERENCES plans(id),
	status TEXT NOT NULL,
	title TEXT NOT NULL,
	sections TEXT NOT NULL,
	scenarios TEXT NOT NULL,
	submitted_at BIGINT,
	submitted_by TEXT REFERENCES users(id),
	decision_number TEXT,
	decision_date TEXT,
	approved_at BIGINT,
	approved_by TEXT REFERENCES users(id),
	superseded_at BIGINT,
	return_reason TEXT,
	version INTEGER NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX plans_org ON plans(org_id, status);
CREATE UNIQUE INDEX plans_number ON plans(org_id, COALESCE(system_id, ''), number);

-- The playbook of a type was applied to an incident (its steps became
-- tasks): once per (incident, type), never again for that type.
CREATE TABLE playbook_runs (
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	threat TEXT NOT NULL,
	plan_id TEXT NOT NULL REFERENCES plans(id),
	tasks INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (incident_id, threat)
);

-- Which task is which step of which plan's scenario (the incident page
-- shows the checklist from it).
CREATE TABLE playbook_tasks (
	task_id TEXT PRIMARY KEY REFERENCES tasks(id),
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	plan_id TEXT NOT NULL REFERENCES plans(id),
	threat TEXT NOT NULL,
	step INTEGER NOT NULL,
	phase TEXT NOT NULL
);
CREATE INDEX playbook_tasks_incident ON playbook_tasks(incident_id);
