#include "review/Users.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/Text.hpp"

namespace sot::review {

namespace {

std::string to_hex(const std::string& raw) {
  return text::hex(raw);
}

std::optional<std::string> from_hex(const std::string& hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (int k = 0; k < 2; ++k) {
      const char c = hex[i + k];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else
        return std::nullopt;
    }
    out += static_cast<char>(v);
  }
  return out;
}

std::string pbkdf2(const std::string& password, const std::string& salt, unsigned iterations) {
  std::string out(32, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1)
    throw std::runtime_error("PBKDF2 failed");
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t i = 0;
  for (;;) {
    const std::size_t j = s.find(sep, i);
    out.push_back(s.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return out;
}

}  // namespace

bool is_valid_login(const std::string& login) {
  if (login.empty() || login.size() > 64) return false;
  for (char c : login)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

bool is_valid_role(const std::string& role) {
  return role == "clerk" || role == "lead";
}

std::string random_token(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("no randomness");
  return to_hex(raw);
}

bool equal_secrets(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::vector<User> load_users(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_users(ss.str(), file.string());
}

std::vector<User> parse_users(std::string_view text, const std::string& source) {
  std::vector<User> users;
  std::istringstream in{std::string(text)};
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const auto f = split(line, ':');
    const std::string where = source + ":" + std::to_string(n) + ": ";
    if (f.size() != 6 || f[2] != "pbkdf2-sha256")
      throw std::runtime_error(where + "expected login:role:pbkdf2-sha256:iterations:salt:hash");
    User u;
    u.login = f[0];
    u.role = f[1];
    if (!is_valid_login(u.login)) throw std::runtime_error(where + "bad login '" + u.login + "'");
    if (!is_valid_role(u.role)) throw std::runtime_error(where + "role must be clerk or lead");
    try {
      u.iterations = static_cast<unsigned>(std::stoul(f[3]));
    } catch (const std::exception&) {
      throw std::runtime_error(where + "iterations is not a number");
    }
    if (u.iterations < 10000 || u.iterations > 10000000)
      throw std::runtime_error(where + "iterations must be 10000..10000000");
    const auto salt = from_hex(f[4]);
    const auto hash = from_hex(f[5]);
    if (!salt || salt->size() < 16 || !hash || hash->size() != 32)
      throw std::runtime_error(where + "salt or hash is not valid hex");
    u.salt = *salt;
    u.hash = *hash;
    users.push_back(std::move(u));
  }
  return users;
}

std::string user_line(const std::string& login, const std::string& role,
                      const std::string& password, unsigned iterations) {
  std::string salt(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), 16) != 1)
    throw std::runtime_error("no randomness");
  return login + ":" + role + ":pbkdf2-sha256:" + std::to_string(iterations) + ":" + to_hex(salt) +
         ":" + to_hex(pbkdf2(password, salt, iterations));
}

bool verify_password(const User& user, const std::string& password) {
  return equal_secrets(pbkdf2(password, user.salt, user.iterations), user.hash);
}

std::optional<User> authenticate(const std::vector<User>& users, const std::string& login,
                                 const std::string& password) {
  for (const auto& u : users)
    if (u.login == login) {
      if (verify_password(u, password)) return u;
      return std::nullopt;
    }
  // Unknown login: spend the same time, so timing does not tell which logins exist.
  pbkdf2(password, std::string(16, 'x'), kPbkdf2Iterations);
  return std::nullopt;
}

void set_user(const std::filesystem::path& file, const std::string& login, const std::string& role,
              const std::string& password) {
  if (!is_valid_login(login)) throw std::runtime_error("bad login '" + login + "' ([a-z0-9._-])");
  if (!is_valid_role(role)) throw std::runtime_error("role must be clerk or lead");
  if (password.size() < 10) throw std::runtime_error("a password needs at least 10 characters");
  std::vector<std::string> lines;
  {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
      if (line.rfind(login + ":", 0) != 0) lines.push_back(line);
  }
  lines.push_back(user_line(login, role, password));
  const std::filesystem::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& l : lines) out << l << '\n';
    if (!out.flush()) throw std::runtime_error(tmp.string() + ": cannot be written");
  }
  std::filesystem::permissions(tmp, std::filesystem::perms::owner_read |
                                        std::filesystem::perms::owner_write |
                                        std::filesystem::perms::group_read);
  std::filesystem::rename(tmp, file);
}

}  // namespace sot::review
