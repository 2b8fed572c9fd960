// The spool's manifest reader and the registry's schema versions: what the daemon reads from the
// portal's spool never blocks or follows a link; a registry is migrated forward on open and one
// of a newer schema is refused.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/stat.h>

#include "registry/Registry.hpp"
#include "spool/Spool.hpp"
#include "support/TestBundle.hpp"

using namespace sot;
using namespace sot::test;
namespace fs = std::filesystem;

TEST_CASE("the spool's manifest reader never blocks on a FIFO or follows a link", "[spool]") {
  TempDir t;
  const fs::path fifo = t.path() / "fifo-bundle", link = t.path() / "link-bundle";
  fs::create_directories(fifo);
  fs::create_directories(link);
  REQUIRE(::mkfifo((fifo / "manifest.json").c_str(), 0600) == 0);
  write_file(t.path() / "secret.json", R"({"submission_id":"x"})");
  fs::create_symlink(t.path() / "secret.json", link / "manifest.json");
  CHECK(spool::read_manifest_bytes(fifo, 1 << 20).empty());  // returns at once
  CHECK(spool::read_manifest_bytes(link, 1 << 20).empty());
  CHECK_FALSE(spool::peek_manifest(fifo, 1 << 20).submission_id);
}

TEST_CASE("the registry schema is versioned: old ones migrated, newer ones refused", "[registry]") {
  TempDir t;
  const fs::path file = t.path() / "registry.sqlite";
  auto version_of = [&] {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
    sqlite3_step(st);
    const int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
  };
  auto exec = [&](const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  };
  // A registry as first shipped: the version-1 tables, no version recorded, no holds table.
  exec(
      "CREATE TABLE bundles(id TEXT PRIMARY KEY, submission_id TEXT, state TEXT NOT NULL,"
      " outcome TEXT, placed_as TEXT, registration_number TEXT UNIQUE, court TEXT,"
      " reg_year INTEGER, reg_seq INTEGER, report TEXT, updated_at TEXT NOT NULL);"
      "INSERT INTO bundles(id, state, updated_at) VALUES('old-1', 'received', '2025-10-16');");
  {
    auto reg = registry::open_sqlite_registry(file);
    CHECK(reg->find("old-1"));
    reg->set_legal_hold("old-1", true);  // a table of version 2
    CHECK(reg->legal_hold("old-1"));
  }
  CHECK(version_of() == registry::kSchemaVersion);
  // A registry written by a newer program: refused, for writing and for reading.
  exec("PRAGMA user_version=99");
  CHECK_THROWS_AS(registry::open_sqlite_registry(file), registry::RegistryError);
  CHECK_THROWS_AS(registry::open_sqlite_registry(file, true), registry::RegistryError);
}
