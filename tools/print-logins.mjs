// print-logins.mjs FILE URL - prints the demo district's logins at `make run`.
import { readFileSync } from 'node:fs';

const [file, url] = process.argv.slice(2);
const { logins } = JSON.parse(readFileSync(file, 'utf8'));
const pad = (s, n) => s + ' '.repeat(Math.max(0, n - [...s].length));
console.log(`\nungcuu — huyện Phú Quý (demo): ${url}\n`);
console.log(pad('Tên đăng nhập / user', 22) + pad('Mật khẩu / password', 24) + 'Vai trò, tổ chức / roles, organisation');
for (const l of logins) {
  console.log(pad(l.username, 22) + pad(l.password, 24) + `${l.roles.join(', ')} — ${l.org_name}`);
}
console.log('');
