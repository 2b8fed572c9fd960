#include "core/Manifest.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/FileName.hpp"

namespace sot {

using nlohmann::json;

namespace {

const std::vector<std::string_view> kKinds = {"claim",
                                              "special_proceeding",
                                              "counterclaim",
                                              "appeal",
                                              "private_complaint",
                                              "cassation",
                                              "review_petition",
                                              "new_circumstances",
                                              "default_judgment_cancellation",
                                              "court_order_cancellation",
                                              "case_document",
                                              "letter",
                                              "power_of_attorney"};
const std::vector<std::string_view> kProceedings = {"civil", "criminal", "administrative",
                                                    "administrative_offence"};
const std::vector<std::string_view> kRoles = {"main", "attachment", "payment_receipt",
                                              "power_of_attorney", "advocate_warrant"};
const std::vector<std::string_view> kCapacities = {"self", "representative", "advocate"};
const std::vector<std::string_view> kEntityKinds = {"individual", "legal_entity"};

bool contains(const std::vector<std::string_view>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join(const std::vector<std::string_view>& v) {
  std::string out;
  for (auto s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

// Nesting depth outside strings, so a "[[[[…" manifest is refused before a DOM is built.
size_t nesting_depth(std::string_view s) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

const char* type_name(const json& j) {
  return j.type_name();
}

// Walks the DOM and records violations with their paths.
class Reader {
 public:
  Reader(std::vector<ManifestViolation>& v, const ManifestLimits& limits)
      : v_(v), limits_(limits) {}

  void violation(std::string field, std::string reason) {
    v_.push_back({std::move(field), std::move(reason)});
  }

  const json* field(const json& obj, const std::string& path, const char* key, bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) violation(path + key, "required field is missing");
      return nullptr;
    }
    return &*it;
  }

  // Required non-empty string (or nullable when `nullable`).
  std::optional<std::string> str(const json& obj, const std::string& path, const char* key,
                                 bool required, bool nullable = false, bool allow_empty = false) {
    const json* j = field(obj, path, key, required);
    if (!j) return std::nullopt;
    if (j->is_null()) {
      if (!nullable) violation(path + key, "must not be null");
      return std::nullopt;
    }
    if (!j->is_string()) {
      violation(path + key, std::string("expected a string, got ") + type_name(*j));
      return std::nullopt;
    }
    const auto& s = j->get_ref<const std::string&>();
    if (s.size() > limits_.max_string_bytes) {
      violation(path + key,
                "string longer than " + std::to_string(limits_.max_string_bytes) + " bytes");
      return std::nullopt;
    }
    if (!allow_empty && std::all_of(s.begin(), s.end(), [](unsigned char c) {
          return c == ' ' || c == '\t' || c == '\n' || c == '\r';
        })) {
      violation(path + key, "must not be empty");
      return std::nullopt;
    }
    if (s.find('\0') != std::string::npos) {
      violation(path + key, "contains NUL");
      return std::nullopt;
    }
    return s;
  }

  std::optional<std::string> enumerated(const json& obj, const std::string& path, const char* key,
                                        const std::vector<std::string_view>& allowed) {
    auto s = str(obj, path, key, true);
    if (s && !contains(allowed, *s)) {
      violation(path + key, "'" + printable_name(*s) + "' is not one of: " + join(allowed));
      return std::nullopt;
    }
    return s;
  }

  std::optional<bool> boolean(const json& obj, const std::string& path, const char* key,
                              bool required) {
    const json* j = field(obj, path, key, required);
    if (!j) return std::nullopt;
    if (!j->is_boolean()) {
      violation(path + key, std::string("expected true or false, got ") + type_name(*j));
      return std::nullopt;
    }
    return j->get<bool>();
  }

  std::optional<double> amount(const json& obj, const std::string& path, const char* key) {
    const json* j = field(obj, path, key, false);
    if (!j || j->is_null()) return std::nullopt;
    if (!j->is_number()) {
      violation(path + key, std::string("expected a number or null, got ") + type_name(*j));
      return std::nullopt;
    }
    const double d = j->get<double>();
    if (!(d >= 0)) {
      violation(path + key, "must not be negative");
      return std::nullopt;
    }
    return d;
  }

  const json* object(const json& obj, const std::string& path, const char* key, bool required,
                     bool nullable) {
    const json* j = field(obj, path, key, required);
    if (!j) return nullptr;
    if (j->is_null()) {
      if (!nullable) violation(path + key, "must not be null");
      return nullptr;
    }
    if (!j->is_object()) {
      violation(path + key, std::string("expected an object, got ") + type_name(*j));
      return nullptr;
    }
    return j;
  }

  const json* array(const json& obj, const std::string& path, const char* key, bool required,
                    uint32_t max_items) {
    const json* j = field(obj, path, key, required);
    if (!j) return nullptr;
    if (!j->is_array()) {
      violation(path + key, std::string("expected an array, got ") + type_name(*j));
      return nullptr;
    }
    if (j->size() > max_items) {
      violation(path + key, "more than " + std::to_string(max_items) + " entries");
      return nullptr;
    }
    return j;
  }

 private:
  std::vector<ManifestViolation>& v_;
  const ManifestLimits& limits_;
};

bool is_hex64(std::string_view s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// Duplicate keys would let two readers of the same manifest see different values (the last
// one wins in most parsers, the first in others): refused outright.
struct DuplicateKeyCheck {
  std::vector<std::set<std::string>> stack;
  std::optional<std::string> duplicate;
  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        stack.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!stack.empty()) stack.pop_back();
        break;
      case json::parse_event_t::key:
        if (!stack.empty() && parsed.is_string()) {
          const auto& k = parsed.get_ref<const std::string&>();
          if (!stack.back().insert(k).second && !duplicate) duplicate = k;
        }
        break;
      default:
        break;
    }
    return true;
  }
};

}  // namespace

const std::vector<std::string_view>& known_kinds() {
  return kKinds;
}
bool is_known_kind(std::string_view kind) {
  return contains(kKinds, kind);
}
bool is_known_proceeding(std::string_view p) {
  return contains(kProceedings, p);
}
bool is_known_document_role(std::string_view r) {
  return contains(kRoles, r);
}
bool is_submission_id(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

const DocumentEntry* Manifest::find_document(std::string_view file) const {
  for (const auto& d : documents)
    if (d.file == file) return &d;
  return nullptr;
}

ManifestParseResult parse_manifest(std::string_view bytes, const ManifestLimits& limits) {
  ManifestParseResult result;
  auto& v = result.violations;
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xEF &&
      static_cast<unsigned char>(bytes[1]) == 0xBB &&
      static_cast<unsigned char>(bytes[2]) == 0xBF) {
    bytes.remove_prefix(3);  // a UTF-8 byte order mark is tolerated, the bytes are still signed
  }
  if (nesting_depth(bytes) > limits.max_depth) {
    v.push_back({"", "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels"});
    return result;
  }
  DuplicateKeyCheck dup;
  json root;
  try {
    root = json::parse(bytes.begin(), bytes.end(), std::ref(dup), /*allow_exceptions=*/true,
                       /*ignore_comments=*/false);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    v.push_back({"", "not valid JSON: " + what.substr(what.find(']') + 2) + " (byte " +
                         std::to_string(e.byte) + ")"});
    return result;
  } catch (const json::exception& e) {
    // e.g. out_of_range for a number that overflows a double (1e999)
    std::string what = e.what();
    v.push_back({"", "not usable JSON: " + what.substr(what.find(']') + 2)});
    return result;
  }
  if (dup.duplicate) {
    v.push_back({printable_name(*dup.duplicate), "key appears more than once in one object"});
    return result;
  }
  if (!root.is_object()) {
    v.push_back({"", std::string("expected a JSON object, got ") + root.type_name()});
    return result;
  }

  Reader r(v, limits);
  Manifest m;
  const std::string top;

  if (auto f = r.str(root, top, "format", true)) {
    if (*f != kBundleFormat)
      r.violation("format", "unsupported format '" + printable_name(*f) + "', expected '" +
                                std::string(kBundleFormat) + "'");
    m.format = *f;
  }
  if (auto s = r.str(root, top, "submission_id", true)) {
    if (!is_submission_id(*s)) {
      r.violation("submission_id", "expected 1-64 characters of [A-Za-z0-9._-]");
    } else {
      result.submission_id = *s;  // known even when another field is wrong
    }
    m.submission_id = *s;
  }
  if (auto k = r.enumerated(root, top, "kind", kKinds)) m.kind = *k;
  if (auto p = r.enumerated(root, top, "proceeding", kProceedings)) m.proceeding = *p;
  if (const json* c = r.object(root, top, "court", true, false)) {
    if (auto s = r.str(*c, "court.", "region", true)) m.court.region = *s;
    if (auto s = r.str(*c, "court.", "code", true)) m.court.code = *s;
  }
  m.case_number = r.str(root, top, "case_number", false, true);
  if (auto t = r.str(root, top, "submitted_at", true)) {
    std::string why;
    if (auto ts = parse_rfc3339(*t, &why)) {
      m.submitted_at = *ts;
      m.submitted_at_text = *t;
      result.submitted_at = *ts;
    } else {
      r.violation("submitted_at", "'" + printable_name(*t) + "': " + why);
    }
  }
  if (const json* f = r.object(root, top, "filer", true, false)) {
    if (auto k = r.enumerated(*f, "filer.", "kind", kEntityKinds)) m.filer.kind = *k;
    const bool entity = m.filer.kind == "legal_entity";
    // Shape only; the check digits are the identity stage's (FILER_ID_INVALID).
    m.filer.iin = r.str(*f, "filer.", "iin", true, /*nullable=*/false);
    m.filer.bin = r.str(*f, "filer.", "bin", entity, /*nullable=*/!entity);
    if (auto n = r.str(*f, "filer.", "name", true)) m.filer.name = *n;
    if (const json* c = r.field(*f, "filer.", "capacity", false); c && !c->is_null()) {
      if (auto s = r.enumerated(*f, "filer.", "capacity", kCapacities)) m.filer.capacity = *s;
    }
    if (const json* rep = r.array(*f, "filer.", "represents", false, limits.max_parties)) {
      for (size_t i = 0; i < rep->size(); ++i) {
        const json& e = (*rep)[i];
        const std::string path = "filer.represents[" + std::to_string(i) + "]";
        if (!e.is_number_unsigned()) {
          r.violation(path, "expected the index of a party (a whole number from 0)");
        } else {
          m.filer.represents.push_back(static_cast<std::size_t>(e.get<std::uint64_t>()));
        }
      }
    }
    m.filer.authority_ref = r.str(*f, "filer.", "authority_ref", false, /*nullable=*/true);
  }
  if (const json* ps = r.array(root, top, "parties", false, limits.max_parties)) {
    for (size_t i = 0; i < ps->size(); ++i) {
      const std::string path = "parties[" + std::to_string(i) + "].";
      const json& p = (*ps)[i];
      if (!p.is_object()) {
        r.violation(path.substr(0, path.size() - 1),
                    std::string("expected an object, got ") + p.type_name());
        continue;
      }
      Party party;
      if (auto s = r.str(p, path, "role", true)) party.role = *s;
      if (auto s = r.enumerated(p, path, "kind", kEntityKinds)) party.kind = *s;
      if (auto b = r.boolean(p, path, "resident", false)) party.resident = *b;
      if (auto s = r.str(p, path, "name", true)) party.name = *s;
      party.iin = r.str(p, path, "iin", false, true);
      party.bin = r.str(p, path, "bin", false, true);
      m.parties.push_back(std::move(party));
    }
  }
  if (const json* p = r.object(root, top, "payment", false, true)) {
    Payment pay;
    if (auto b = r.boolean(*p, "payment.", "exempt", true)) pay.exempt = *b;
    pay.exemption_basis = r.str(*p, "payment.", "exemption_basis", false, true);
    pay.claim_amount = r.amount(*p, "payment.", "claim_amount");
    pay.duty_amount = r.amount(*p, "payment.", "duty_amount");
    pay.receipt = r.str(*p, "payment.", "receipt", false, true);
    pay.online_payment_id = r.str(*p, "payment.", "online_payment_id", false, true);
    m.payment = std::move(pay);
  }
  if (const json* a = r.array(root, top, "appendix", false, limits.max_appendix)) {
    for (size_t i = 0; i < a->size(); ++i) {
      const json& e = (*a)[i];
      const std::string path = "appendix[" + std::to_string(i) + "]";
      if (!e.is_string() || e.get_ref<const std::string&>().empty()) {
        r.violation(path, "expected a non-empty string (an attachment's title)");
      } else if (e.get_ref<const std::string&>().size() > limits.max_string_bytes) {
        r.violation(path, "string too long");
      } else {
        m.appendix.push_back(e.get<std::string>());
      }
    }
  }
  if (const json* ds = r.array(root, top, "documents", true, limits.max_documents)) {
    if (ds->empty()) r.violation("documents", "a bundle has at least one document");
    std::set<std::string> seen;
    int mains = 0;
    for (size_t i = 0; i < ds->size(); ++i) {
      const std::string path = "documents[" + std::to_string(i) + "].";
      const json& d = (*ds)[i];
      if (!d.is_object()) {
        r.violation(path.substr(0, path.size() - 1),
                    std::string("expected an object, got ") + d.type_name());
        continue;
      }
      DocumentEntry doc;
      if (auto s = r.str(d, path, "file", true)) {
        if (auto why = unsafe_file_name_reason(*s)) {
          r.violation(path + "file", "unsafe file name '" + printable_name(*s) + "': " + *why);
        } else if (!seen.insert(*s).second) {
          r.violation(path + "file", "'" + *s + "' is listed more than once");
        }
        doc.file = *s;
      }
      if (auto s = r.str(d, path, "title", true)) doc.title = *s;
      if (auto s = r.enumerated(d, path, "role", kRoles)) {
        doc.role = *s;
        if (*s == "main") ++mains;
      }
      if (auto s = r.str(d, path, "sha256", true)) {
        if (!is_hex64(*s)) {
          r.violation(path + "sha256", "expected 64 hexadecimal digits");
        } else {
          doc.sha256 = *s;
          std::transform(doc.sha256.begin(), doc.sha256.end(), doc.sha256.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        }
      }
      if (const json* b = r.field(d, path, "bytes", true)) {
        if (b->is_number_unsigned()) {
          doc.bytes = b->get<std::uint64_t>();
        } else if (b->is_number_integer()) {
          r.violation(path + "bytes", "must not be negative");
        } else {
          r.violation(path + "bytes",
                      std::string("expected a whole number of bytes, got ") + b->type_name());
        }
      }
      m.documents.push_back(std::move(doc));
    }
    if (!ds->empty() && mains != 1)
      r.violation("documents",
                  "exactly one document must have role 'main', found " + std::to_string(mains));
  }
  if (auto s = r.str(root, top, "circumstances_established_on", m.kind == "new_circumstances",
                     /*nullable=*/m.kind != "new_circumstances")) {
    std::string why;
    if (auto d = parse_date(*s, &why)) {
      m.circumstances_established_on = *d;
    } else {
      r.violation("circumstances_established_on", "'" + printable_name(*s) + "': " + why);
    }
  }
  if (auto s = r.str(root, top, "resubmission_of", false, /*nullable=*/true)) {
    if (!is_submission_id(*s)) {
      r.violation("resubmission_of", "expected a submission id: 1-64 characters of [A-Za-z0-9._-]");
    } else {
      m.resubmission_of = *s;
      result.resubmission_of = *s;
    }
  }
  if (m.filer.capacity != "self") {
    if (m.filer.represents.empty())
      r.violation("filer.represents", "a filer acting as " + m.filer.capacity +
                                          " names the parties acted for (indexes into parties)");
    for (std::size_t i = 0; i < m.filer.represents.size(); ++i)
      if (m.filer.represents[i] >= m.parties.size())
        r.violation("filer.represents[" + std::to_string(i) + "]",
                    "no party with index " + std::to_string(m.filer.represents[i]));
  }
  if (v.empty()) result.manifest = std::move(m);
  return result;
}

}  // namespace sot
