// The operators' and clerks' commands of sot-intake (besides `check`):
//   status SUBMISSION_ID            what the filer's "Менің істерім" shows
//   review list|show|register|reject|reprocess
//   reprocess                       a backlog or registry states, again
//   users add LOGIN --role clerk|lead   (the review UI's users file)
// Each returns the process exit status: 0 done, 1 failed, 2 usage or configuration error,
// 3 not found (status of an unknown submission, a bundle not in review).
#pragma once

#include <string>
#include <vector>

namespace sot::cli {

int status_main(const std::vector<std::string>& args);
int review_main(const std::vector<std::string>& args, const std::string& self_exe);
int reprocess_main(const std::vector<std::string>& args, const std::string& self_exe);
int users_main(const std::vector<std::string>& args);
// verify-receipt DIR --trust FILE|DIR: the court's signatures over a receipt or notice.
int verify_receipt_main(const std::vector<std::string>& args);
// retention run [--dry-run] | hold BUNDLE | release BUNDLE.
int retention_main(const std::vector<std::string>& args);
// notify list | retry
int notify_main(const std::vector<std::string>& args);
// registry migrate --to URL | check
int registry_main(const std::vector<std::string>& args);

// Who runs the command, for the audit trail: "cli:<user>" (the sudo user when under sudo).
std::string cli_actor();

}  // namespace sot::cli
