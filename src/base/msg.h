/*
 * msg.h - the message catalogue: every user-facing text of the C program, in
 * Vietnamese (first) and English. A message has at most one %s argument.
 * Add a line to MSG_TABLE; the id is MSG_<NAME>.
 */
#ifndef UNGCUU_MSG_H
#define UNGCUU_MSG_H

#include <stddef.h>

enum { LANG_VI = 0, LANG_EN = 1 };

#define MSG_TABLE(X) \
	X(NONE, "%s", "%s") \
	/* -- moving up from SQLite to PostgreSQL (issue 18, h/pg-migrate) -- */ \
	X(MIGRATE_NOT_PG, "--to phải là địa chỉ PostgreSQL (postgres://…): %s", "--to must be a PostgreSQL address (postgres://…): %s") \
	X(MIGRATE_NOT_INSTANCE, "Không phải cơ sở dữ liệu ungcuu (SQLite): %s", "Not an ungcuu (SQLite) database: %s") \
	X(MIGRATE_SOURCE_VERSION, "Cơ sở dữ liệu nguồn không cùng phiên bản lược đồ với chương trình này: chạy `ungcuu migrate --db %s` trước", "The source database is not at this program's schema version: run `ungcuu migrate --db %s` first") \
	X(MIGRATE_SOURCE_IN_USE, "Cơ sở dữ liệu nguồn đang được dùng (máy chủ còn chạy?): hãy dừng máy chủ trước khi chuyển: %s", "The source database is in use (is the server running?): stop it before moving: %s") \
	X(MIGRATE_TARGET_NOT_EMPTY, "Cơ sở dữ liệu đích không trống và không phải bản chép dở từ nguồn này: hãy dùng một cơ sở dữ liệu mới (createdb): %s", "The target database is not empty and is not a partial copy of this source: use a new database (createdb): %s") \
	X(MIGRATE_OTHER_SOURCE, "Cơ sở dữ liệu đích là bản chép dở của một nguồn khác, hoặc nguồn đã thay đổi từ lần chép trước: hãy xóa và tạo lại cơ sở dữ liệu đích: %s", "The target is a partial copy of another source, or the source changed since that copy: drop and create the target database again: %s") \
	X(MIGRATE_KEY_DIFFERS, "Đã có tệp khóa của đích và khác khóa của nguồn (một hệ thống khác): %s", "The target's key file exists and differs from the source's (another instance): %s") \
	X(MIGRATE_SCHEMA, "Lược đồ nguồn và đích không khớp ở bảng %s", "Source and target schemas differ at table %s") \
	X(MIGRATE_BAD_VALUE, "Giá trị không chép được sang PostgreSQL (ký tự NUL trong văn bản): %s", "A value PostgreSQL cannot hold (NUL in text): %s") \
	X(MIGRATE_COUNTS, "Số dòng khác nhau sau khi chép: %s", "Row counts differ after the copy: %s") \
	X(MIGRATE_RESUME, "Tiếp tục lần chép dở trước vào %s", "Taking up the earlier partial copy into %s") \
	X(MIGRATE_START, "Bắt đầu chép sang %s", "Copying into %s") \
	X(MIGRATE_PROGRESS, "Đang chép %s", "Copying %s") \
	X(MIGRATE_PROGRESS_RESUMED, "Đang chép tiếp %s (từ lô cuối đã ghi)", "Copying %s (resumed after the last batch committed)") \
	X(MIGRATE_VERIFYING, "Đã khớp số dòng của mọi bảng (%s dòng); đang kiểm tra nhật ký kiểm toán trên đích", "Every table's row count matches (%s rows); checking the audit log on the target") \
	X(MIGRATE_BAD_AUDIT, "Nhật ký kiểm toán trên đích không khớp: chưa xong, không dùng đích này: %s", "The audit log does not verify on the target: not done, do not use it: %s") \
	X(MIGRATE_OK, "Đã chuyển sang PostgreSQL và kiểm tra xong (số dòng, nhật ký kiểm toán); tệp khóa: %s", "Moved to PostgreSQL and checked (row counts, audit log); key file: %s") \
	/* -- records, clocks, forms (issue 12) -- */ \
	X(CLOSING_NOT_WRITTEN, "Báo cáo kết thúc (Mẫu 04) chưa được lập: hãy đóng sự cố kèm báo cáo trước khi ghi nhận đã gửi", "The closing report (form 04) is not written yet: close the incident with it before recording it as sent") \
	X(SENT_IN_FUTURE, "Thời điểm gửi không thể ở tương lai", "The time sent cannot be in the future") \
	X(ROLE_REPORTER, "người báo cáo sự cố", "incident reporter") \
	X(ROLE_FOCAL, "cán bộ đầu mối", "focal point officer") \
	X(ROLE_COORDINATOR, "điều phối viên", "coordinator") \
	X(ROLE_RESPONDER, "cán bộ ứng cứu", "responder") \
	X(ROLE_LEADER, "lãnh đạo (xem, phê duyệt kế hoạch)", "leader (reads, approves plans)") \
	X(ROLE_ADMIN, "quản trị hệ thống", "administrator") \
	X(ROLES_OR, " hoặc ", " or ") \
	X(INVALID_INPUT, "Dữ liệu không hợp lệ", "Invalid input") \
	X(MALFORMED_JSON, "JSON không hợp lệ: %s", "Malformed JSON: %s") \
	X(JSON_TOO_DEEP, "JSON lồng quá sâu", "JSON nested too deeply") \
	X(JSON_NOT_OBJECT, "Nội dung phải là một đối tượng JSON", "The body must be a JSON object") \
	X(REQUIRED, "Trường này là bắt buộc", "This field is required") \
	X(UNKNOWN_FIELD, "Trường không được hỗ trợ", "Unknown field") \
	X(WRONG_TYPE, "Sai kiểu dữ liệu, cần %s", "Wrong type, expected %s") \
	X(TOO_LONG, "Quá dài (tối đa %s byte)", "Too long (at most %s bytes)") \
	X(TOO_MANY, "Quá nhiều phần tử (tối đa %s)", "Too many items (at most %s)") \
	X(EMPTY, "Không được để trống", "Must not be empty") \
	X(NUL_CHAR, "Không được chứa ký tự NUL", "Must not contain NUL characters") \
	X(BAD_VALUE, "Giá trị không hợp lệ: %s", "Invalid value: %s") \
	X(BAD_TIME, "Thời gian không đúng định dạng RFC 3339", "Not an RFC 3339 time") \
	X(TIME_IN_FUTURE, "Thời điểm phát hiện không thể ở tương lai", "Detection time cannot be in the future") \
	X(NOT_FOUND, "Không tìm thấy", "Not found") \
	X(ROUTE_NOT_FOUND, "Không có địa chỉ này: %s", "No such endpoint: %s") \
	X(METHOD_NOT_ALLOWED, "Phương thức không được hỗ trợ", "Method not allowed") \
	X(UNAUTH, "Cần đăng nhập", "Authentication required") \
	X(BAD_LOGIN, "Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password") \
	X(LOCKED, "Tài khoản tạm khóa do đăng nhập sai nhiều lần; thử lại sau %s giây", "Account locked after repeated failed logins; try again in %s seconds") \
	X(SESSION_EXPIRED, "Phiên đăng nhập đã hết hạn", "Session expired") \
	X(CSRF, "Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token)", "Missing or wrong X-CSRF-Token header") \
	X(FORBIDDEN, "Bạn không có quyền thực hiện việc này", "You are not allowed to do this") \
	X(FORBIDDEN_ROLE, "Tài khoản của bạn không làm được việc này; việc này dành cho %s", "Your account cannot do this; it is done by the %s") \
	X(TRANSITION_DENIED, "Không thể chuyển từ trạng thái hiện tại sang %s", "Cannot move from the current state to %s") \
	X(STALE, "Sự cố đã được người khác cập nhật; hãy tải lại", "The incident was changed by someone else; reload it") \
	X(STALE_RECORD, "Bản ghi đã được người khác cập nhật; hãy tải lại", "The record was changed by someone else; reload it") \
	X(IF_MATCH_REQUIRED, "Thiếu tiêu đề If-Match với phiên bản", "If-Match header with the version is required") \
	X(TOO_LARGE, "Nội dung quá lớn (tối đa %s byte)", "Body too large (at most %s bytes)") \
	X(UNSUPPORTED_TYPE, "Kiểu nội dung không được hỗ trợ: %s", "Unsupported content type: %s") \
	X(INTERNAL, "Lỗi máy chủ, đã ghi nhật ký", "Server error, logged") \
	X(DB, "Lỗi cơ sở dữ liệu: %s", "Database error: %s") \
	X(EXISTS, "Đã tồn tại: %s", "Already exists: %s") \
	X(UNKNOWN_ORG, "Không có tổ chức mã %s", "No organisation with code %s") \
	X(UNKNOWN_USER, "Không có người dùng %s", "No user %s") \
	X(ORG_OUT_OF_SCOPE, "Tổ chức %s nằm ngoài phạm vi của bạn", "Organisation %s is outside your scope") \
	X(ORG_TOO_DEEP, "Cây tổ chức quá sâu", "Organisation tree too deep") \
	X(USER_DISABLED, "Tài khoản đã bị vô hiệu hóa", "Account disabled") \
	X(PASSWORD_SHORT, "Mật khẩu cần ít nhất %s ký tự", "Password needs at least %s characters") \
	X(SUPPORT_STATE, "Chỉ gửi đề nghị hỗ trợ khi sự cố từ 'đã xác nhận' đến 'khôi phục'", "Support requests can be opened from 'acknowledged' to 'recovering'") \
	X(NO_RESPONSE_TEAM, "Không tìm thấy đơn vị ứng cứu cấp trên", "No response team above this organisation") \
	X(CLOSED_INCIDENT, "Sự cố đã đóng", "The incident is closed") \
	X(DB_EXISTS, "Cơ sở dữ liệu %s đã có; không thay đổi gì", "Database %s already exists; nothing changed") \
	X(AUDIT_OK, "Chuỗi nhật ký kiểm toán nguyên vẹn (%s mục)", "Audit chain intact (%s entries)") \
	X(AUDIT_BROKEN, "Chuỗi nhật ký kiểm toán bị phá vỡ tại mục %s", "Audit chain broken at entry %s") \
	X(UNKNOWN_COMMAND, "Lệnh không rõ: %s (xem 'ungcuu help')", "Unknown command: %s (see 'ungcuu help')") \
	X(UNKNOWN_OPTION, "Tùy chọn không rõ: %s", "Unknown option: %s") \
	X(MISSING_OPTION, "Thiếu tùy chọn %s", "Missing option %s") \
	X(IO, "Lỗi đọc/ghi: %s", "I/O error: %s") \
	X(NETWORK, "Lỗi kết nối: %s", "Connection error: %s") \
	X(FEED_SYNTAX, "Tệp hỏng hoặc bị cắt cụt: %s", "Malformed or truncated file: %s") \
	X(FEED_SCHEMA, "Tệp không đúng cấu trúc mong đợi: %s", "File does not have the expected structure: %s") \
	X(FEED_LIMIT, "Tệp vượt giới hạn cho phép: %s", "File exceeds a limit: %s") \
	X(UNKNOWN_ECOSYSTEM, "Hệ sinh thái phiên bản không rõ: %s (dùng dpkg, rpm, semver hoặc generic)", "Unknown version ecosystem: %s (use dpkg, rpm, semver or generic)") \
	X(BAD_VERSION, "Số phiên bản không hợp lệ: %s", "Invalid version: %s") \
	X(MISSING_ARG, "Thiếu đối số: %s", "Missing argument: %s") \
	X(EXTRA_ARG, "Thừa đối số: %s", "Unexpected argument: %s") \
	X(IOC_SYNTAX, "Tệp IOC hỏng hoặc bị cắt cụt: %s", "Malformed or truncated indicator file: %s") \
	X(IOC_SCHEMA, "Tệp IOC không đúng cấu trúc mong đợi: %s", "Indicator file does not have the expected structure: %s") \
	X(IOC_VALUE, "Giá trị IOC không hợp lệ: %s", "Invalid indicator value: %s") \
	X(IOC_LIMIT, "Tệp IOC vượt giới hạn cho phép: %s", "Indicator file exceeds a limit: %s") \
	X(IOC_PATTERN, "Mẫu STIX sai cú pháp: %s", "STIX pattern syntax error: %s") \
	X(HUNT_EMPTY, "Không có chỉ dấu nào đang hiệu lực được chọn và được phép chia sẻ (TLP) cho mọi đơn vị", "No active indicator is chosen that TLP lets go to every target") \
	X(HUNT_CLOSED, "Đợt săn tìm đã đóng", "The hunt is closed") \
	X(HUNT_NOT_TARGET, "Đơn vị %s không thuộc đối tượng của đợt săn tìm này", "Organisation %s is not a target of this hunt") \
	X(HUNT_ISSUER_ONLY, "Chỉ đơn vị phát động (%s) mới đóng được đợt săn tìm", "Only the issuing organisation (%s) can close the hunt") \
	X(SWEEP_UNREADABLE, "Không đọc được, đã bỏ qua: %s", "Cannot read, skipped: %s") \
	X(SWEEP_TOO_LARGE, "Lớn hơn --max-size, đã bỏ qua: %s", "Larger than --max-size, skipped: %s") \
	X(SWEEP_YARA, "Luật YARA không biên dịch được: %s", "YARA rule does not compile: %s") \
	X(SWEEP_YARA_WARNING, "Cảnh báo YARA: %s", "YARA warning: %s") \
	X(SWEEP_BAD_INDICATOR, "Không phải chỉ dấu hợp lệ: %s", "Not a valid indicator: %s") \
	X(SWEEP_PATTERN_SKIPPED, "Bỏ qua mẫu STIX mà lệnh quét chưa đọc được: %s", "Skipped a STIX pattern the sweep cannot read: %s") \
	X(SWEEP_MORE_WARNINGS, "Còn cảnh báo không in ra (tệp: số): %s", "More warnings not shown (file: count): %s") \
	X(SWEEP_FORMAT, "Không phải tệp YARA, gói STIX 2.1, sự kiện MISP hay danh sách chỉ dấu: %s", "Not a YARA file, STIX 2.1 bundle, MISP event or indicator list: %s") \
	X(SWEEP_NOTHING, "Không có luật hay chỉ dấu nào để dò: %s", "Nothing to look for: %s") \
	X(SWEEP_SCAN, "Lỗi khi quét: %s", "Scan failed: %s") \
	X(SWEEP_TRUNCATED, "Quá nhiều kết quả trong một tệp, chỉ in 1000 kết quả đầu (tệp: số bị bỏ): %s", "Too many hits in one file, the first 1000 listed (file: hits left out): %s") \
	/* -- scope and roles (issue 11) -- */ \
	X(FORBIDDEN_SUPPORT, "Đơn vị được đề nghị hỗ trợ chỉ được xem, trả lời đề nghị, bình luận và làm nhiệm vụ của mình", "An organisation asked for support may only read, answer the request, comment and work its own tasks") \
	X(FORBIDDEN_OWN_ORG, "Chỉ đơn vị có thẩm quyền mới thực hiện được việc này, không làm thay đơn vị khác", "Only the organisation concerned may do this, not another on its behalf") \
	/* -- the agent: keys, replay (issue 11) -- */ \
	X(AGENT_KEY_IN_USE, "Khóa công khai này đã được đăng ký cho một máy khác; mỗi khóa chỉ thuộc về một máy. Hãy tạo khóa mới trên máy cần đăng ký", "This public key is already enrolled for another host; a key belongs to one host only. Make a new key on the host to enrol") \
	X(AGENT_REENROLL_NEEDED, "Máy %s đã có agent đăng ký. Thay khóa là đăng ký lại: gửi \"reenroll\": true (ungcuu agent enroll --reenroll)", "Host %s already has an enrolled agent. Replacing its key is a re-enrolment: send \"reenroll\": true (ungcuu agent enroll --reenroll)") \
	X(AGENT_CLOCK, "Thời điểm agent ghi trong yêu cầu lệch quá xa giờ máy chủ (giờ máy chủ và độ lệch cho phép: %s); hãy chỉnh đồng hồ của máy (NTP)", "The time the agent put in the request is too far from the server's clock (server time and allowed skew: %s); set the host's clock right (NTP)") \
	X(AGENT_SEQ_STALE, "Lần gửi này không mới hơn lần máy chủ đã nhận từ agent (số thứ tự cuối cùng đã nhận: %s): bị gửi lại, hoặc trạng thái agent được khôi phục từ bản sao lưu. Hãy đăng ký lại agent: ungcuu agent enroll --reenroll", "This upload is not newer than the last one the server accepted from this agent (last sequence accepted: %s): a replay, or the agent's state was restored from a backup. Re-enrol the agent: ungcuu agent enroll --reenroll") \
	X(INVENTORY_OLDER, "Máy này đã có bản kiểm kê mới hơn (thu thập lúc %s); bản cũ hơn không thay thế nó", "This host already has a newer inventory (collected %s); an older one does not replace it") \
	X(AGENT_STALE_STATE, "Trạng thái agent cũ hơn lần gửi cuối (khôi phục từ bản sao lưu, hoặc chép từ máy khác?). Hãy đăng ký lại máy với khóa mới: ungcuu agent enroll --server URL --token T --reenroll --state %s", "The agent's state is older than its last upload (restored from a backup, or copied from another host?). Re-enrol this host with a new key: ungcuu agent enroll --server URL --token T --reenroll --state %s") \
	X(AGENT_STATE_LOCK, "Không khóa được trạng thái agent (một lần chạy khác đang giữ?): %s", "Cannot lock the agent's state (another run holding it?): %s") \
	/* -- the HTTP server: limits, TLS (issue 11) -- */ \
	X(BAD_PARAM, "Tham số không hợp lệ (cần văn bản UTF-8, không có ký tự điều khiển): %s", "Invalid parameter (must be UTF-8 text without control characters): %s") \
	X(LOGIN_RATE, "Quá nhiều lần đăng nhập; thử lại sau %s giây", "Too many login attempts; try again in %s seconds") \
	X(TLS_FILE, "Không đọc được tệp chứng chỉ hoặc khóa TLS (PEM): %s", "Cannot read the TLS certificate or key file (PEM): %s") \
	X(TLS_BAD, "Chứng chỉ hoặc khóa TLS bị từ chối (sai định dạng hoặc không khớp nhau): %s", "TLS certificate or key refused (malformed, or not a pair): %s") \
	/* -- the audit log, backup and restore (issue 11) -- */ \
	X(AUDIT_NO_KEY, "Thiếu hoặc hỏng khóa của hệ thống (%s): hãy khôi phục tệp khóa từ bản sao lưu", "The instance key is missing or damaged (%s): restore the key file from a backup") \
	X(AUDIT_PROBLEMS, "Nhật ký kiểm toán không khớp với cơ sở dữ liệu: %s vấn đề", "The audit log does not match the database: %s problems") \
	X(AUDIT_CHAIN, "Chuỗi nhật ký hỏng: %s", "Chain broken: %s") \
	X(AUDIT_HEAD, "Đầu chuỗi bị dời: %s", "Head moved: %s") \
	X(AUDIT_CHECKPOINT, "Điểm kiểm tra có chữ ký không khớp: %s", "Signed checkpoint does not match: %s") \
	X(AUDIT_CHANGED, "Bị sửa ngoài nhật ký: %s", "Changed outside the log: %s") \
	X(AUDIT_UNLOGGED, "Có trong bảng mà không có trong nhật ký: %s", "Present without a log entry: %s") \
	X(AUDIT_MISSING, "Bị xóa ngoài nhật ký: %s", "Deleted outside the log: %s") \
	X(BACKUP_OK, "Đã sao lưu và kiểm tra: %s", "Backed up and verified: %s") \
	X(BACKUP_EXISTS, "Tệp đích đã có, không ghi đè: %s", "The destination exists, not overwritten: %s") \
	X(BACKUP_BAD_COPY, "Bản sao không qua kiểm tra nhật ký kiểm toán, đã xóa: %s", "The copy failed the audit check and was removed: %s") \
	X(RESTORE_IN_USE, "Cơ sở dữ liệu đang được dùng (hãy dừng ungcuu serve): %s", "The database is in use (stop ungcuu serve first): %s") \
	X(RESTORE_EXISTS, "Cơ sở dữ liệu đã có; thêm --force để thay: %s", "The database exists; add --force to replace it: %s") \
	X(RESTORE_OK, "Đã khôi phục và kiểm tra: %s", "Restored and verified: %s") \
	/* -- accounts, second factor (issue 11) -- */ \
	X(PASSWORD_COMMON, "Mật khẩu quá phổ biến hoặc dễ đoán; hãy dùng một cụm từ dài, khó đoán hơn", "This password is too common or easy to guess; use a longer, less obvious phrase") \
	X(PASSWORD_HAS_USERNAME, "Mật khẩu không được chứa tên đăng nhập", "The password must not contain the username") \
	X(LOGIN_FAILED, "Đăng nhập không thành công: sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đang bị khóa", "Login failed: wrong username or password, or the account is locked") \
	X(PASSWORD_WRONG, "Mật khẩu hiện tại không đúng", "The current password is wrong") \
	X(OTP_WRONG, "Mã xác thực không đúng, đã dùng hoặc đã hết hạn", "Wrong, already used or expired verification code") \
	X(OTP_CHALLENGE, "Bước đăng nhập đã hết hạn; hãy đăng nhập lại", "The login step has expired; log in again") \
	X(OTP_ENABLED, "Xác thực hai bước đã được bật", "The second factor is already on") \
	X(OTP_NOT_PENDING, "Chưa bắt đầu bật xác thực hai bước", "No second factor enrolment has been started") \
	X(OTP_REQUIRED, "Vai trò của bạn bắt buộc xác thực hai bước: %s", "Your role requires a second factor: %s") \
	X(OTP_NOT_ENABLED, "Xác thực hai bước chưa được bật", "The second factor is not on") \
	/* -- parsers (issue 11) -- */ \
	/* -- records, exports (issue 11) -- */ \
	/* -- the queue, search, inbox (issue 12) -- */ \
	X(DUPLICATE_STATE, "Chỉ báo cáo chưa phân loại mới đánh dấu trùng được (đang ở trạng thái %s)", "Only a report not yet classified can be marked a duplicate (it is %s)") \
	X(DUPLICATE_TARGET, "Sự cố giữ lại phải là sự cố khác, đang mở và không phải bản trùng: %s", "The incident kept must be another one, open and not itself a duplicate: %s") \
	X(DUPLICATE_REASON, "Trùng với sự cố %s", "Duplicate of incident %s") \
	X(EXPORT_TOO_LARGE, "Quá nhiều sự cố để xuất (tối đa %s); hãy lọc bớt", "Too many incidents to export (at most %s); narrow the filter") \
	X(SAVED_FILTER_LIMIT, "Đã lưu quá nhiều bộ lọc (tối đa %s); hãy xóa bớt", "Too many saved filters (at most %s); delete some") \
	/* -- queue paging, close confirmation (issue 12, h/queue) -- */ \
	X(OPEN_WORK, "Sự cố còn việc chưa xong (xem danh sách). Hãy hoàn thành, hoặc gửi lại với \"confirm_open_work\": true để vẫn đóng", "The incident has open work (see the list). Finish it, or send again with \"confirm_open_work\": true to close anyway") \
	X(OPEN_TASK, "Nhiệm vụ chưa xong: %s", "Open task: %s") \
	X(OPEN_SUPPORT, "Yêu cầu hỗ trợ chưa xong, gửi tới: %s", "Open support request to: %s") \
	X(OPEN_MORE, "Và %s việc chưa xong khác", "And %s more open items") \
	/* -- STIX fidelity (issue 13, h/stix) -- */ \
	X(IOC_EXPORT_CONTEXT, "giữ lại vì chỉ làm ngữ cảnh (to_ids false, STIX không có dạng cho chúng): %s", "withheld as context only (to_ids false, which STIX has no indicator for): %s") \
	/* -- MISP fidelity (issue 13, h/misp) -- */ \
	X(MISP_TLP_COLLAPSED, "%s nhãn tlp: bị bỏ: nhãn TLP loại trừ nhau, mỗi sự kiện và thuộc tính MISP chỉ giữ một nhãn, là nhãn chặt nhất", "%s tlp: tags dropped: TLP labels exclude each other, each MISP event and attribute keeps one, the most restrictive") \
	/* -- packaging (issue 14, h/deb) -- */ \
	X(MIGRATE_FAILED, "Nâng cấp cơ sở dữ liệu thất bại; cơ sở dữ liệu giữ nguyên như trước: %s", "The database upgrade failed; the database is unchanged: %s") \
	X(MIGRATE_NEWER, "Cơ sở dữ liệu mới hơn chương trình này (%s): hãy cài phiên bản ungcuu mới hơn", "The database is newer than this program (%s): install the newer ungcuu") \
	X(MIGRATE_DONE, "Đã nâng cấp cơ sở dữ liệu: %s", "Database upgraded: %s") \
	X(MIGRATE_NONE, "Cơ sở dữ liệu đã ở phiên bản mới nhất: %s", "The database is up to date: %s") \
	X(MIGRATE_BACKUP, "Bản sao trước khi nâng cấp: %s", "Copy taken before the upgrade: %s") \
	/* -- documents (issue 15, h/doc) -- */ \
	/* -- risk register, resources, budget (issue 15, h/risk) -- */ \
	X(THREAT_FAULT, "Sự cố kỹ thuật, hỏng hóc", "Technical fault") \
	X(THREAT_OPERATOR_ERROR, "Lỗi vận hành của con người", "Operator error") \
	X(THREAT_DISASTER, "Thiên tai, hỏa hoạn, mất điện kéo dài", "Disaster (natural, fire, long power cut)") \
	X(RISK_EXISTS, "Hệ thống này đã có rủi ro cho mối đe dọa: %s; hãy sửa rủi ro đó", "This system already has a risk for the threat: %s; edit that one") \
	X(CONTRACT_DATES, "Ngày kết thúc hợp đồng phải sau ngày bắt đầu", "The contract must end after it starts") \
	X(BUDGET_REASON_REQUIRED, "Số liệu đã gửi Phòng Tài chính chỉ được sửa khi nêu lý do", "A number already submitted to the finance office is corrected only with a reason") \
	X(BUDGET_SUBMITTED, "Dòng ngân sách đã được gửi Phòng Tài chính", "The budget line has already been submitted to the finance office") \
	X(BUDGET_EXPORT_TITLE, "Tổng hợp dự toán kinh phí ứng cứu sự cố năm %s", "Incident response budget roll-up, %s") \
	X(BUDGET_COL_ORG, "Đơn vị", "Organisation") \
	X(BUDGET_COL_ORG_CODE, "Mã đơn vị", "Organisation code") \
	X(BUDGET_COL_YEAR, "Năm", "Year") \
	X(BUDGET_COL_CATEGORY, "Hạng mục", "Category") \
	X(BUDGET_COL_DESCRIPTION, "Nội dung", "Description") \
	X(BUDGET_COL_PLANNED, "Dự toán (đồng)", "Planned (VND)") \
	X(BUDGET_COL_SPENT, "Đã chi (đồng)", "Spent (VND)") \
	X(BUDGET_COL_SUBMITTED, "Ngày gửi", "Submitted on") \
	X(BUDGET_TOTAL, "Tổng cộng", "Total") \
	X(BUDGET_CAT_EQUIPMENT, "Trang thiết bị, phần cứng", "Equipment, hardware") \
	X(BUDGET_CAT_SOFTWARE, "Phần mềm, công cụ bảo đảm an toàn thông tin", "Software, security tools") \
	X(BUDGET_CAT_SERVICES, "Thuê dịch vụ, chuyên gia, nhà thầu", "Services, experts, contractors") \
	X(BUDGET_CAT_TRAINING, "Đào tạo, bồi dưỡng nhân lực", "Training") \
	X(BUDGET_CAT_DRILLS, "Diễn tập ứng cứu sự cố", "Response drills") \
	X(BUDGET_CAT_MONITORING, "Giám sát, kiểm tra, đánh giá an toàn thông tin", "Monitoring, checks and assessments") \
	X(BUDGET_CAT_RESPONSE, "Ứng cứu, khắc phục sự cố", "Incident response and recovery") \
	X(BUDGET_CAT_OTHER, "Chi khác", "Other") \
	X(BUDGET_TOO_MANY, "Quá nhiều dòng dự toán để tổng hợp (tối đa %s); hãy chọn một đơn vị nhỏ hơn", "Too many budget lines to roll up (at most %s); pick a smaller organisation") \
	X(RISK_AXIS_IMPACT, "mức ảnh hưởng", "impact") \
	X(RISK_AXIS_LIKELIHOOD, "hàng: khả năng xảy ra", "rows: likelihood") \
	X(RISK_BANDS, "thấp, trung bình, cao, nghiêm trọng", "low, medium, high, critical") \
	X(FINANCE_OFFICE_ON, "%s là phòng tài chính của cấp trên: xem các dòng dự toán đã gửi của cả đơn vị cấp trên", "%s is its parent's finance office: it reads the submitted budget lines of the parent's subtree") \
	X(FINANCE_OFFICE_OFF, "%s không còn là phòng tài chính", "%s is no longer a finance office") \
	/* -- response plans, playbooks (issue 15, h/plans) -- */ \
	X(PLAN_NOT_DRAFT, "Chỉ sửa được kế hoạch đang là dự thảo; kế hoạch này đang ở trạng thái %s (muốn thay đổi kế hoạch đã phê duyệt, hãy tạo phiên bản mới)", "Only a draft plan can be edited; this one is %s (to change an approved plan, make a new version)") \
	X(PLAN_OPEN_EXISTS, "Đã có phiên bản %s của kế hoạch này đang soạn hoặc chờ phê duyệt", "Version %s of this plan is already being drafted or awaits approval") \
	X(PLAN_VERSION_FROM, "Chỉ tạo phiên bản mới từ kế hoạch đã phê duyệt hoặc đã được thay thế", "A new version is made only from an approved or superseded plan") \
	X(PLAN_SYSTEM_LEVEL, "Kế hoạch riêng chỉ lập cho hệ thống của tổ chức có cấp độ 4 hoặc 5", "A separate plan is made only for a system of the organisation at level 4 or 5") \
	X(PLAN_OTHER_SERIES, "Hai phiên bản không thuộc cùng một kế hoạch", "The two versions are not of the same plan") \
	X(PLAN_UNKNOWN_SECTION, "Kế hoạch không có mục %s", "The plan has no section %s") \
	X(PLAN_DUPLICATE, "Bị lặp: %s", "Given twice: %s") \
	X(PLAN_BAD_DATE, "Ngày phải có dạng YYYY-MM-DD và không ở tương lai", "The date must be YYYY-MM-DD and not in the future") \
	X(PLAN_OUTLINE_EMPTY, "Đề cương phải có ít nhất một mục", "The outline needs at least one section") \
	X(PLAN_BAD_CODE, "Mã chỉ gồm chữ thường không dấu, chữ số, '-' và '_' (tối đa 32 ký tự)", "A code is lowercase ASCII letters, digits, '-' and '_' (at most 32)") \
	/* -- drills, periodic reports (issue 15, h/reports) -- */ \
	X(DRILL_HELD_NEEDS_DATE, "Cuộc diễn tập đã tổ chức phải có ngày tổ chức (held_at)", "A drill that was held needs the date it was held (held_at)") \
	X(DRILL_HELD_FUTURE, "Ngày tổ chức diễn tập không thể ở tương lai", "The date a drill was held cannot be in the future") \
	X(DRILL_SYSTEM_UNKNOWN, "Hệ thống không có hoặc không thuộc đơn vị tổ chức diễn tập: %s", "No such system in the drill's organisation: %s") \
	X(DRILL_OWNER_UNKNOWN, "Người phụ trách phải là người dùng đang hoạt động của đơn vị hoặc đơn vị cấp dưới: %s", "The owner must be an active user of the organisation or one below it: %s") \
	X(REPORT_SENT, "Báo cáo đã gửi ngày %s: không sửa được nữa", "The report was sent on %s: it can no longer be edited") \
	X(REPORT_REASON_NEEDED, "Sửa số liệu đã tính từ các sự cố phải ghi lý do (reason)", "Correcting a figure counted from the incidents needs a reason (reason)") \
	X(REPORT_EXISTS, "Báo cáo của kỳ này đã có: %s", "The report of this period exists already: %s") \
	X(REPORT_YEAR_RANGE, "Năm báo cáo phải từ 2017 đến năm sau năm hiện tại", "The report's year must be from 2017 to next year") \
	X(REPORT_TYPE_UNKNOWN, "Loại sự cố không có trong Mẫu 05: %s", "Not an incident type of form 05: %s") \
	/* -- federation core (issue 16, h/sync-core) -- */ \
	X(SYNC_PEER_UNKNOWN, "Không có máy ngang hàng %s", "No peer %s") \
	X(SYNC_PEER_EXISTS, "Đã có máy ngang hàng với tên hoặc khóa này: %s", "A peer with this name or key exists already: %s") \
	X(SYNC_BAD_KEY, "Khóa công khai phải là 64 chữ số hex (Ed25519): %s", "The public key must be 64 hex digits (Ed25519): %s") \
	X(SYNC_OWN_KEY, "Đây là khóa của chính hệ thống này, không phải của máy ngang hàng", "This is this instance's own key, not a peer's") \
	X(SYNC_BAD_RELATION, "Quan hệ phải là parent (cấp trên) hoặc child (cấp dưới): %s", "The relation must be parent (above us) or child (below us): %s") \
	X(SYNC_BAD_URL, "Địa chỉ phải bắt đầu bằng https:// hoặc http:// (tối đa 500 ký tự): %s", "The URL must start with https:// or http:// (at most 500 characters): %s") \
	X(SYNC_BAD_NAME, "Tên máy ngang hàng gồm chữ thường không dấu, chữ số, '-', '_' và '.' (tối đa 64 ký tự): %s", "A peer name is lowercase ASCII letters, digits, '-', '_' and '.' (at most 64): %s") \
	X(SYNC_NO_KEY, "Không có khóa của hệ thống (tệp .key bên cạnh cơ sở dữ liệu)", "The instance key is missing (the .key file beside the database)") \
	X(SYNC_BAD_ENVELOPE, "Phong bì không hợp lệ: %s", "Malformed envelope: %s") \
	X(SYNC_R_UNKNOWN_PEER, "Người gửi chưa được đăng ký làm máy ngang hàng: %s", "The sender is not a registered peer: %s") \
	X(SYNC_R_WRONG_ORIGIN, "Phong bì của hệ thống khác (%s) không được chuyển qua máy ngang hàng này", "An envelope of another instance (%s) is not accepted through this peer") \
	X(SYNC_R_BAD_SIGNATURE, "Chữ ký không đúng với khóa của máy ngang hàng (nội dung bị sửa hoặc khóa khác): %s", "The signature does not match the peer's key (content changed or another key): %s") \
	X(SYNC_R_WRONG_DEST, "Phong bì gửi cho hệ thống khác: %s", "The envelope is addressed to another instance: %s") \
	X(SYNC_R_KIND_UNKNOWN, "Loại phong bì không được hỗ trợ: %s", "Unknown envelope kind: %s") \
	X(SYNC_R_KIND_NOT_ALLOWED, "Máy ngang hàng này không được gửi loại phong bì %s (theo quan hệ cấp trên/cấp dưới)", "This peer may not send envelopes of kind %s (by the parent/child relation)") \
	X(SYNC_R_REPLAY, "Phong bì số %s đã được áp dụng trước đó: xác nhận lại, không áp dụng lần nữa", "Envelope %s was applied before: acknowledged again, not applied twice") \
	X(SYNC_R_GAP, "Thiếu phong bì trước số %s: chờ các phong bì còn thiếu", "Envelopes before %s are missing: waiting for them") \
	X(SYNC_R_APPLY_FAILED, "Không áp dụng được phong bì: %s", "The envelope could not be applied: %s") \
	X(SYNC_NOT_BUNDLE, "Tệp không phải gói đồng bộ ungcuu (phần sai: %s)", "Not an ungcuu sync bundle (wrong part: %s)") \
	X(SYNC_BUNDLE_OTHER_DEST, "Gói này được niêm phong cho hệ thống khác (%s), không phải hệ thống này", "This bundle is sealed for another instance (%s), not this one") \
	X(SYNC_BUNDLE_CANNOT_OPEN, "Không mở được gói: tệp bị cắt cụt, bị sửa, hoặc không niêm phong cho khóa của hệ thống này", "Cannot open the bundle: the file is truncated, changed, or not sealed to this instance's key") \
	X(SYNC_BUNDLE_BAD_SIG, "Chữ ký của gói không đúng với khóa của máy ngang hàng %s", "The bundle's signature does not match the key of peer %s") \
	X(SYNC_ACK_AHEAD, "Xác nhận vượt quá số phong bì đã gửi: %s", "The acknowledgement is beyond the envelopes sent: %s") \
	X(SYNC_TOO_MANY, "Quá nhiều phong bì trong một lần (tối đa %s)", "Too many envelopes at once (at most %s)") \
	/* -- standing duty, notifications (issue 17, h/notify) -- */ \
	X(DUTY_BAD_DAY, "Ngày trong tuần không hợp lệ (mon..sun hoặc 1..7): %s", "Not a day of the week (mon..sun or 1..7): %s") \
	X(DUTY_BAD_TIME, "Giờ phải có dạng HH:MM (00:00..24:00): %s", "A time is HH:MM (00:00..24:00): %s") \
	X(DUTY_BAD_SPAN, "Thời điểm kết thúc phải sau thời điểm bắt đầu", "The end must come after the start") \
	X(DUTY_SAME_PERSON, "Người trực dự phòng phải khác người trực chính", "The backup must be another person than the primary") \
	X(DUTY_PERSON, "Người trực phải là người dùng đang hoạt động của đơn vị hoặc đơn vị cấp trên: %s", "The person on duty must be an active user of the organisation or one above it: %s") \
	X(NOTIFY_BAD_CHANNEL, "Kênh thông báo không hợp lệ (web, email, webhook): %s", "Not a notification channel (web, email, webhook): %s") \
	X(NOTIFY_BAD_URL, "Địa chỉ webhook phải bắt đầu bằng https:// hoặc http://", "A webhook URL starts with https:// or http://") \
	X(NOTIFY_INCIDENT_NEW, "Sự cố mới %s", "New incident %s") \
	X(NOTIFY_INCIDENT_ASSIGNED, "Bạn được giao xử lý sự cố %s", "You were assigned incident %s") \
	X(NOTIFY_CLOCK_NEAR, "Sắp hết hạn: %s", "Deadline near: %s") \
	X(NOTIFY_CLOCK_OVERDUE, "Quá hạn: %s", "Overdue: %s") \
	X(NOTIFY_ESCALATION, "Chưa ai tiếp nhận sự cố %s", "Nobody acknowledged incident %s") \
	X(NOTIFY_PLAN_APPROVAL, "Kế hoạch chờ bạn phê duyệt: %s", "A plan awaits your approval: %s") \
	X(NOTIFY_SUPPORT_RECEIVED, "Đề nghị hỗ trợ xử lý sự cố %s", "A request for support on incident %s") \
	X(NOTIFY_SUPPORT_ANSWERED, "Đề nghị hỗ trợ sự cố %s đã được trả lời", "Your support request on incident %s was answered") \
	X(NOTIFY_WARNING_ISSUED, "Cảnh báo mới gửi đơn vị: %s", "A new warning to your organisation: %s") \
	X(NOTIFY_WARNING_DEADLINE, "Sắp hết hạn xử lý cảnh báo: %s", "A warning's deadline is near: %s") \
	X(NOTIFY_HUNT_OPENED, "Yêu cầu săn tìm mối nguy gửi đơn vị%s", "A threat hunt for your organisation%s") \
	X(NOTIFY_FINDING_KEV, "Lỗ hổng đang bị khai thác trên máy của đơn vị: %s", "A known-exploited vulnerability on a host of yours: %s") \
	X(NOTIFY_HIDDEN_TITLE, "(nội dung hạn chế theo TLP %s: xem trên hệ thống)", "(restricted under TLP %s: read it in ungcuu)") \
	X(NOTIFY_OPEN_LINK, "Xem tại: %s", "Open: %s") \
	X(NOTIFY_FOOTER, "Thư tự động của hệ thống ứng cứu sự cố %s. Đổi kênh nhận tại trang Tài khoản.", "Automatic mail of the incident response system %s. Change your channels on the account page.") \
	/* -- email intake (issue 17 item 5, h/mail) -- */ \
	X(MAIL_TOO_LARGE, "Thư quá lớn (tối đa %s byte)", "The message is too large (at most %s bytes)") \
	X(MAIL_TOO_MANY_PARTS, "Thư có quá nhiều phần MIME hoặc lồng quá sâu (tối đa %s)", "The message has too many MIME parts or nests them too deep (at most %s)") \
	X(MAIL_BAD_MIME, "Thư không đọc được theo MIME: %s", "The message is not readable MIME: %s") \
	X(MAIL_BAD_CHARSET, "Bảng mã không hỗ trợ hoặc văn bản sai bảng mã: %s", "Unknown charset or text not in its charset: %s") \
	X(MAIL_BAD_HEADER, "Tiêu đề thư không phải UTF-8 hợp lệ: %s", "A header of the message is not valid text: %s") \
	X(MAIL_NO_SENDER, "Thư không có địa chỉ người gửi (From)", "The message has no sender address (From)") \
	X(MAIL_ATTACHMENT_TOO_LARGE, "Tệp đính kèm quá lớn: %s", "An attachment is too large: %s") \
	X(MAIL_TOO_MANY_ATTACHMENTS, "Thư có quá nhiều tệp đính kèm (tối đa %s)", "The message has too many attachments (at most %s)") \
	X(MAIL_QUARANTINED, "Thư đã được đưa vào khu cách ly: %s", "The message was quarantined: %s") \
	X(MAIL_TRIAGE_DECIDED, "Thư này đã được xử lý: %s", "This message was already decided: %s") \
	X(MAIL_ACK_SUBJECT, "Đã tiếp nhận báo cáo sự cố %s", "Incident report received: %s") \
	X(MAIL_ACK_BODY, "Kính gửi Quý đơn vị,\n\nBáo cáo sự cố của Quý đơn vị đã được tiếp nhận với số hiệu %s. Khi trao đổi thêm về sự cố này, xin trả lời thư này hoặc ghi số hiệu trên vào tiêu đề thư.\n\n(Thư tự động, không cần trả lời nếu không có thông tin bổ sung.)", "Your incident report was received as %s. To add to it, reply to this message or put that number in the subject.") \
	/* -- federation: what travels (issue 16, h/sync-kinds) -- */ \
	X(SYNC_BAD_PAYLOAD, "Nội dung gửi từ hệ thống khác không hợp lệ: %s", "A payload from another instance is not valid: %s") \
	X(SYNC_UNKNOWN_ORG, "Hệ thống này không có đơn vị mã %s", "This instance has no organisation with code %s") \
	X(SYNC_NOT_YOURS, "Hệ thống gửi không được trả lời bản ghi này: %s", "The sending instance may not answer this record: %s") \
	X(SYNC_WITHHELD_TITLE, "%s (nội dung giữ lại theo TLP)", "%s (contents withheld under TLP)") \
	X(SYNC_FROM_BELOW, "Từ cấp dưới: %s", "From below: %s") \
	X(SYNC_FROM_ABOVE, "Từ cấp trên: %s", "From above: %s") \
	X(INCIDENT_MIRRORED, "Sự cố này do hệ thống %s chuyển lên: chỉ nơi gửi chuyển trạng thái hoặc sửa báo cáo; ở đây hãy trả lời đề nghị, phân công, ghi trao đổi hoặc chỉ đạo", "This incident was escalated by instance %s: only its sender moves it or edits the report; here, answer the request, assign, comment or direct") \
	/* -- syslog intake, alerts (issue 17, h/syslog) -- */ \
	X(ALERT_NOT_OPEN, "Cảnh báo không còn mở (đang ở trạng thái %s)", "The alert is no longer open (it is %s)") \
	X(SYSLOG_BAD_LISTEN, "Địa chỉ nghe syslog không hợp lệ hoặc không mở được: %s", "Syslog listen address invalid or cannot be opened: %s") \
	X(SYSLOG_BAD_RULE, "Quy tắc syslog không hợp lệ (tên|mức độ|biểu thức chính quy): %s", "Bad syslog rule (name|severity|regex): %s") \
	X(SYSLOG_BAD_SOURCE, "Nguồn syslog không hợp lệ (địa chỉ hoặc CIDR, rồi mã đơn vị): %s", "Bad syslog source (address or CIDR, then an organisation code): %s") \
	/* -- federation transport (issue 16, h/sync-net) -- */ \
	X(SYNC_NOT_A_PEER, "Không phải hệ thống ngang hàng đã đăng ký: %s", "Not a registered peer instance: %s") \
	X(SYNC_BAD_SIGNATURE, "Chữ ký của hệ thống ngang hàng không hợp lệ: %s", "The peer instance's signature does not verify: %s") \
	X(SYNC_CLOCK, "Đồng hồ hai hệ thống lệch quá 10 phút: %s", "The two instances' clocks differ by more than 10 minutes: %s") \
	X(SYNC_NO_URL, "Hệ thống ngang hàng %s không có URL: dùng gói tin USB (ungcuu sync export)", "Peer %s has no URL: use a bundle (ungcuu sync export)") \
	/* -- federation kinds: attachments, hunt summaries, withdrawal (issue 16, h/fed-kinds) -- */ \
	X(WARNING_WITHDRAWN, "Cảnh báo đã được thu hồi: %s", "The warning was withdrawn: %s") \
	X(WARNING_FROM_PEER, "Cảnh báo này do hệ thống %s ban hành: chỉ nơi ban hành được thu hồi", "This warning was issued by instance %s: only its issuer withdraws it") \
	X(INDICATOR_MIRRORED, "Chỉ dấu này do hệ thống %s chia sẻ: chỉ nơi tạo được sửa hoặc xoá", "This indicator was shared by instance %s: only its originator edits or deletes it") \
	X(SYNC_ATTACHMENT_HASH, "Tệp đính kèm nhận được không khớp mã băm SHA-256: %s", "A received attachment does not match its SHA-256: %s") \
	X(SYNC_ATTACHMENT_SIZE, "Tệp đính kèm vượt giới hạn trao đổi giữa các hệ thống: %s", "An attachment is larger than instances exchange: %s") \
	/* -- federation: the last gaps (issue 16, h/fed-rest) -- */ \
	X(INDICATOR_IMPORT_MIRRORED, "Bỏ qua: chỉ dấu này do hệ thống %s chia sẻ, chỉ đơn vị gốc được sửa", "Skipped: this indicator was shared by instance %s; only its originator edits it") \
	/* -- federation: what came from the peers (issue 16, h/fed-ui) -- */ \
	/* -- federation across versions (issue 16, h/fed-compat) -- */ \
	X(SYNC_R_KEPT, "Giữ lại đến khi nâng cấp: phiên bản này chưa biết loại phong bì %s; sẽ được áp dụng sau khi nâng cấp", "Kept until this instance is upgraded: this version does not know the envelope kind %s; it is applied after the upgrade") \
	X(SYNC_R_KEPT_FULL, "Đã giữ quá nhiều phong bì loại chưa biết từ máy ngang hàng này (%s): phong bì này chờ bên gửi; hãy nâng cấp hệ thống", "Too many envelopes of unknown kinds are kept from this peer (%s): this one waits at its sender; upgrade this instance") \
	/* -- standing duty: approval, roster, webhooks (issue 17, h/duty) -- */ \
	X(DUTY_WEBHOOK_REFUSED, "Webhook không được gửi tới mạng nội bộ, cục bộ hoặc dành riêng (%s); quản trị viên có thể cho phép mạng này bằng [notify] webhook_allow", "A webhook may not reach a loopback, private, link-local or reserved network (%s); an administrator may allow that network with [notify] webhook_allow") \
	X(DUTY_REPORT_AWAITING, "Báo cáo đang chờ lãnh đạo phê duyệt: không sửa được cho đến khi được trả lại", "The report awaits the leader's approval: it cannot change unless it is returned") \
	X(DUTY_REPORT_NOT_SUBMITTED, "Báo cáo chưa được gửi duyệt", "The report has not been submitted for approval") \
	X(NOTIFY_REPORT_APPROVAL, "Báo cáo định kỳ (Mẫu 05) chờ bạn phê duyệt: %s", "A periodic report (form 05) awaits your approval: %s") \
	X(DUTY_WEBHOOK_UNRESOLVED, "Không tìm được địa chỉ của máy chủ webhook (%s)", "The webhook's host has no address (%s)") \
	/* -- several nodes, leadership (issue 18, h/pg-nodes) -- */ \
	X(LEADER_DEPOSED, "Nút này không còn chạy công việc nền (nút khác đã thay, nhiệm kỳ %s): bỏ ghi", "This node no longer runs the background work (another took over, epoch %s): write refused") \
	X(DB_UNAVAILABLE, "Cơ sở dữ liệu tạm thời không kết nối được, hãy thử lại sau ít giây: %s", "The database cannot be reached for now; try again in a few seconds: %s") \
	X(SERVER_SAID, "Máy chủ trả lời: %s", "Server answered: %s")

#define MSG_ENUM(name, vi, en) MSG_##name,
enum msg_id { MSG_TABLE(MSG_ENUM) MSG__COUNT };
#undef MSG_ENUM

/* The printf format of a message in a language. */
const char *msg_get(int id, int lang);
/* Formats a message with its argument into out; returns out. */
const char *msg_format(int id, int lang, const char *arg, char *out, size_t n);
/* Role codes "a,b" (domain.c's role_names) as a person reads them in a
 * language: "điều phối viên hoặc cán bộ ứng cứu"; unknown codes kept. */
const char *msg_roles(const char *csv, int lang, char *out, size_t n);
/* LANG_EN when the Accept-Language header or $LANG asks for English first. */
int msg_lang_from(const char *accept_language);

#endif
