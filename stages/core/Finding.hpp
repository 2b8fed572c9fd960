// Finding: what a stage observed about a bundle, with the evidence behind it.
//
// Stages report findings, never outcomes: a finding carries a stable UPPER_SNAKE code, the
// stage that made it, where it applies (file, 1-based page) and a JSON `detail` with the
// evidence. The severity is not the stage's to decide: the rules give it per code and filing
// kind (see rules/RuleSet.hpp) — a stage may only lower it for one finding where the contract
// says so (`at_most`) — and Outcome.hpp turns severities into the outcome.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sot {

enum class Severity { kInfo = 0, kReview = 1, kReject = 2 };

std::string_view to_string(Severity s);
std::optional<Severity> severity_from_string(std::string_view s);

struct Finding {
  std::string code;
  std::string stage;
  std::optional<std::string> file;
  std::optional<std::uint32_t> page;
  nlohmann::json detail = nlohmann::json::object();
  // A ceiling on the rules' severity for this one finding, where the contract ties the code's
  // severity to what was observed (a guessed resolution never rejects; a low one that reads
  // clearly is for a clerk); detail says why.
  std::optional<Severity> at_most = std::nullopt;
};

// Appends findings for one stage; the pipeline hands each stage its own sink so the stage
// name is filled in once, not by every call site.
class Findings {
 public:
  explicit Findings(std::vector<Finding>& out, std::string stage)
      : out_(out), stage_(std::move(stage)) {}

  Finding& add(std::string code, nlohmann::json detail = nlohmann::json::object()) {
    out_.push_back(Finding{std::move(code), stage_, std::nullopt, std::nullopt, std::move(detail),
                           std::nullopt});
    return out_.back();
  }
  Finding& add_for_file(std::string code, std::string file,
                        nlohmann::json detail = nlohmann::json::object()) {
    Finding& f = add(std::move(code), std::move(detail));
    f.file = std::move(file);
    return f;
  }
  const std::string& stage() const { return stage_; }

 private:
  std::vector<Finding>& out_;
  std::string stage_;
};

// Page-level observations of one file gathered into one finding per code: the first page's
// evidence as `detail`, that page as `page`, and every page that has it in detail.pages.
class PageFindings {
 public:
  void note(const std::string& code, std::uint32_t page, nlohmann::json detail) {
    auto& c = by_code_[code];
    if (c.pages.empty()) {
      c.detail = std::move(detail);
      c.first_page = page;
    }
    c.pages.push_back(page);
  }
  // Adds the findings for `file`; `with_page` false for documents without pages (office).
  void emit(Findings& out, const std::string& file, bool with_page = true) {
    for (auto& [code, c] : by_code_) {
      c.detail["pages"] = c.pages;
      Finding& f = out.add_for_file(code, file, std::move(c.detail));
      if (with_page) f.page = c.first_page;
    }
    by_code_.clear();
  }

 private:
  struct PerCode {
    nlohmann::json detail;
    std::uint32_t first_page = 0;
    nlohmann::json pages = nlohmann::json::array();
  };
  std::map<std::string, PerCode> by_code_;
};

}  // namespace sot
