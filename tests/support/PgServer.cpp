#include "support/PgServer.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "support/Process.hpp"

namespace sot::test {

namespace fs = std::filesystem;

namespace {
fs::path script_path() {
  return fs::path(SOT_SOURCE_DIR) / "scripts" / "pg-test-server.sh";
}
}  // namespace

PgServer& PgServer::shared() {
  static PgServer server;
  return server;
}

PgServer::PgServer() {
  std::string templ = (fs::temp_directory_path() / "sot-pg-XXXXXX").string();
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp for the PostgreSQL server");
  dir_ = templ;
  start();
}

PgServer::~PgServer() {
  try {
    script("stop");
  } catch (...) {
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void PgServer::script(const std::string& command) {
  const auto r = run_process({"/bin/bash", script_path().string(), command, dir_.string()});
  if (r.exit_code != 0)
    throw std::runtime_error("pg-test-server.sh " + command + " failed: " + r.err + r.out);
}

void PgServer::start() {
  script("start");
}
void PgServer::stop() {
  script("stop");
}
void PgServer::restart() {
  script("restart");
}

std::string PgServer::uri(const std::string& database) const {
  return "postgresql:///" + database + "?host=" + dir_.string() + "&user=sot";
}

std::string PgServer::new_database() {
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  PGconn* c = PQconnectdb(uri("postgres").c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect to the test server: " + why);
  }
  PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  const std::string why = PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error("CREATE DATABASE " + name + ": " + why);
  return uri(name);
}

std::string test_registry_backend() {
  const char* b = std::getenv("SOT_TEST_REGISTRY");
  return b && std::string(b) == "postgresql" ? "postgresql" : "sqlite";
}

TestRegistry open_test_registry(const fs::path& spool_root, const std::string& backend) {
  TestRegistry t;
  if (backend == "postgresql") t.url = PgServer::shared().new_database();
  t.registry = registry::open_registry(t.url, spool_root);
  return t;
}

}  // namespace sot::test
