// Clerks of the review UI: a users file of one line per clerk,
//   login:role:pbkdf2-sha256:ITERATIONS:SALT_HEX:HASH_HEX
// role "clerk" (decides bundles) or "lead" (also assigns them). Passwords are kept only as
// salted PBKDF2-HMAC-SHA256 (OpenSSL), compared in constant time. `sot-intake users add`
// writes the lines; the file is read again at every login, so adding a clerk needs no restart.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sot::review {

struct User {
  std::string login;
  std::string role;  // clerk | lead
  unsigned iterations = 0;
  std::string salt;  // raw bytes
  std::string hash;  // raw bytes
};

constexpr unsigned kPbkdf2Iterations = 200000;

bool is_valid_login(const std::string& login);
bool is_valid_role(const std::string& role);

// Throws std::runtime_error naming the line that is wrong.
std::vector<User> load_users(const std::filesystem::path& file);
std::vector<User> parse_users(std::string_view text, const std::string& source);
std::string user_line(const std::string& login, const std::string& role,
                      const std::string& password, unsigned iterations = kPbkdf2Iterations);
bool verify_password(const User& user, const std::string& password);
// The user of `login` when `password` is right (the same work is done for an unknown login).
std::optional<User> authenticate(const std::vector<User>& users, const std::string& login,
                                 const std::string& password);

// Adds or replaces `login` in the users file (written to a temporary file and renamed).
void set_user(const std::filesystem::path& file, const std::string& login, const std::string& role,
              const std::string& password);

std::string random_token(std::size_t bytes = 32);                // hex of RAND_bytes
bool equal_secrets(const std::string& a, const std::string& b);  // constant time

}  // namespace sot::review
