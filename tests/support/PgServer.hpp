// A PostgreSQL 15 server of the test binary's own (scripts/pg-test-server.sh: a temporary data
// directory, a Unix socket, no TCP), started on first use and stopped when the binary exits.
// Each test takes a fresh database of it, so tests never see each other's rows.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "registry/Registry.hpp"

namespace sot::test {

class PgServer {
 public:
  static PgServer& shared();
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // A new, empty database; its libpq URI.
  std::string new_database();
  std::string uri(const std::string& database) const;
  const std::filesystem::path& dir() const { return dir_; }

  void stop();     // a fast shutdown
  void restart();  // a fast shutdown, then start again
  void start();

 private:
  PgServer();
  void script(const std::string& command);
  std::filesystem::path dir_;
  int databases_ = 0;
};

// The registry backend the registry tests run against: "sqlite" unless SOT_TEST_REGISTRY says
// "postgresql" (ctest runs the registry, review and retention tests once with each).
std::string test_registry_backend();
// The registry of a test's spool on that backend (a fresh database for PostgreSQL), and the
// [registry] url naming it ("" for the spool's own SQLite file).
struct TestRegistry {
  std::string url;
  std::unique_ptr<registry::Registry> registry;
};
TestRegistry open_test_registry(const std::filesystem::path& spool_root,
                                const std::string& backend = test_registry_backend());

}  // namespace sot::test
