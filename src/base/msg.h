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
	X(FORBIDDEN_ROLE, "Cần vai trò: %s", "Requires role: %s") \
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
	/* -- the agent: keys, replay (issue 11) -- */ \
	/* -- the HTTP server: limits, TLS (issue 11) -- */ \
	/* -- the audit log, backup and restore (issue 11) -- */ \
	/* -- accounts, second factor (issue 11) -- */ \
	/* -- parsers (issue 11) -- */ \
	/* -- records, exports (issue 11) -- */ \
	/* -- the queue, search, inbox (issue 12) -- */ \
	X(DUPLICATE_STATE, "Chỉ báo cáo chưa phân loại mới đánh dấu trùng được (đang ở trạng thái %s)", "Only a report not yet classified can be marked a duplicate (it is %s)") \
	X(DUPLICATE_TARGET, "Sự cố giữ lại phải là sự cố khác, đang mở và không phải bản trùng: %s", "The incident kept must be another one, open and not itself a duplicate: %s") \
	X(DUPLICATE_REASON, "Trùng với sự cố %s", "Duplicate of incident %s") \
	X(EXPORT_TOO_LARGE, "Quá nhiều sự cố để xuất (tối đa %s); hãy lọc bớt", "Too many incidents to export (at most %s); narrow the filter") \
	X(SAVED_FILTER_LIMIT, "Đã lưu quá nhiều bộ lọc (tối đa %s); hãy xóa bớt", "Too many saved filters (at most %s); delete some") \
	X(SERVER_SAID, "Máy chủ trả lời: %s", "Server answered: %s")

#define MSG_ENUM(name, vi, en) MSG_##name,
enum msg_id { MSG_TABLE(MSG_ENUM) MSG__COUNT };
#undef MSG_ENUM

/* The printf format of a message in a language. */
const char *msg_get(int id, int lang);
/* Formats a message with its argument into out; returns out. */
const char *msg_format(int id, int lang, const char *arg, char *out, size_t n);
/* LANG_EN when the Accept-Language header or $LANG asks for English first. */
int msg_lang_from(const char *accept_language);

#endif
