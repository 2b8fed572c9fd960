#include "signature/SignatureStage.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "signature/CertificatePath.hpp"
#include "signature/CmsInput.hpp"
#include "signature/Gost.hpp"
#include "signature/NcaIdentity.hpp"

namespace sot::signature {

using nlohmann::json;

namespace {

constexpr int kMaxSigners = 16;

// ETSI EN 319 102-1 indications.
constexpr const char* kPassed = "TOTAL_PASSED";
constexpr const char* kFailed = "TOTAL_FAILED";
constexpr const char* kIndeterminate = "INDETERMINATE";

int rank(const std::string& indication) {
  if (indication == kFailed) return 2;
  if (indication == kIndeterminate) return 1;
  return 0;
}

// Collects the stage's findings and the worst indication they imply.
class Report {
 public:
  explicit Report(Findings& out) : out_(out) {}

  void add(const char* code, const char* indication, const char* sub, json detail) {
    detail["indication"] = indication;
    detail["sub_indication"] = sub;
    out_.add(code, std::move(detail));
    if (rank(indication) > rank(indication_)) {
      indication_ = indication;
      sub_indication_ = sub;
    }
  }
  // A finding that says nothing of the signature's own indication.
  void add_plain(const char* code, json detail) { out_.add(code, std::move(detail)); }
  const std::string& indication() const { return indication_; }
  const json& sub_indication() const { return sub_indication_; }

 private:
  Findings& out_;
  std::string indication_ = kPassed;
  json sub_indication_ = nullptr;
};

const char* const kWeakDigests[] = {"1.2.840.113549.2.5", "1.3.14.3.2.26"};  // MD5, SHA-1
const char* const kWeakSignatures[] = {
    "1.2.840.113549.1.1.4",  // md5WithRSAEncryption
    "1.2.840.113549.1.1.5",  // sha1WithRSAEncryption
    "1.2.840.10045.4.1",     // ecdsa-with-SHA1
};

bool one_of(const std::string& oid, const char* const* list, size_t n) {
  return std::find(list, list + n, oid) != list + n;
}

std::string hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += d[p[i] >> 4];
    out += d[p[i] & 15];
  }
  return out;
}

std::string serial_hex(X509* cert) {
  const ASN1_INTEGER* s = X509_get0_serialNumber(cert);
  return hex(s->data, static_cast<size_t>(s->length));
}

std::string time_text(long long t) {
  return format_rfc3339(SysSeconds{std::chrono::seconds{t}}, 0);
}

// The DER SET OF the signed attributes: what the signature value covers (RFC 5652 §5.4).
std::optional<std::string> signed_attributes_der(CMS_SignerInfo* si) {
  const int n = CMS_signed_get_attr_count(si);
  if (n < 0) return std::nullopt;
  std::vector<std::string> encoded;
  for (int i = 0; i < n; ++i) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &der);
    if (len < 0) return std::nullopt;
    encoded.emplace_back(reinterpret_cast<char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
  }
  std::sort(encoded.begin(), encoded.end());  // DER orders SET OF by encoding
  std::string body;
  for (const auto& e : encoded) body += e;
  std::string out(1, '\x31');
  if (body.size() < 128) {
    out += static_cast<char>(body.size());
  } else {
    std::string len;
    for (size_t v = body.size(); v > 0; v >>= 8)
      len.insert(len.begin(), static_cast<char>(v & 0xFF));
    out += static_cast<char>(0x80 | len.size());
    out += len;
  }
  return out + body;
}

std::optional<std::string> signed_message_digest(CMS_SignerInfo* si) {
  const auto* md = static_cast<const ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
      si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  if (!md) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(md)),
                     static_cast<size_t>(ASN1_STRING_length(md)));
}

const ASN1_TIME* signing_time_attribute(CMS_SignerInfo* si) {
  const int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
  if (idx < 0) return nullptr;
  const ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, idx), 0);
  if (!t || (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME)) return nullptr;
  return t->value.utctime;
}

json claimed_signing_time(CMS_SignerInfo* si) {
  const std::string s = asn1_time_text(signing_time_attribute(si));
  return s.empty() ? json(nullptr) : json(s);
}

std::optional<long long> signing_time_seconds(CMS_SignerInfo* si) {
  long long t = 0;
  if (!asn1_time_seconds(signing_time_attribute(si), &t)) return std::nullopt;
  return t;
}

// Chain verification state the callback fills: time-validity errors are recorded and
// tolerated so that the chain is still built (and revocation still checked).
struct ChainState {
  int time_error = 0;
  int time_error_depth = 0;
  X509* time_error_cert = nullptr;
};

int chain_callback(int ok, X509_STORE_CTX* ctx) {
  if (ok) return 1;
  const int err = X509_STORE_CTX_get_error(ctx);
  if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) {
    auto* st = static_cast<ChainState*>(X509_STORE_CTX_get_app_data(ctx));
    if (st && st->time_error == 0) {
      st->time_error = err;
      st->time_error_depth = X509_STORE_CTX_get_error_depth(ctx);
      st->time_error_cert = X509_STORE_CTX_get_current_cert(ctx);
    }
    return 1;
  }
  return 0;
}

bool is_untrusted_error(int err) {
  return err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
         err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
         err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
         err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
         err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
}

struct SignerOutcome {
  json section = json::object();
  X509* certificate = nullptr;
};

// A certificate path to a trust anchor at a time: OpenSSL's verifier where it can check every
// signature, our own path building (CertificatePath) for GOST-signed certificates.
struct PathCheck {
  bool found = false;
  std::vector<X509*> chain;  // signer first, anchor last
  X509StackPtr owned;        // OpenSSL's chain, which `chain` borrows from
  std::string error;
  bool no_issuer = false;
  bool unsupported = false;  // a signature on the path the checker cannot check
  int error_depth = 0;
  bool expired = false;
  bool not_yet_valid = false;
  int time_error_depth = 0;
  X509* time_error_cert = nullptr;
};

std::string der_text(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

bool has_timestamping_usage(X509* cert) {
  return (X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) &&
         (X509_get_extended_key_usage(cert) & XKU_TIMESTAMP);
}

class SignerCheck {
 public:
  struct Times {
    long long validation;                   // the manifest's submitted_at, or what stands in for it
    const char* source;                     // "submitted_at", "signing_time" or "arrival"
    std::optional<long long> submitted_at;  // when it is the filer's claim to hold others to
    long long clock_skew;
  };

  SignerCheck(const TrustStore& trust,
              const std::vector<std::shared_ptr<const SignatureVerifier>>& verifiers,
              Report& report, CMS_ContentInfo* cms, const std::string& content,
              STACK_OF(X509) * cms_certs, Times times)
      : trust_(trust),
        verifiers_(verifiers),
        report_(report),
        cms_(cms),
        content_(content),
        cms_certs_(cms_certs),
        times_(times) {}

  SignerOutcome run(CMS_SignerInfo* si) {
    SignerOutcome o;
    X509* cert = find_certificate(si, cms_certs_);
    if (!cert) {
      report_.add("SIGNATURE_INVALID", kIndeterminate, "NO_SIGNING_CERTIFICATE_FOUND",
                  {{"reason", "the signer's certificate is not in the signature"}});
      return o;
    }
    CMS_SignerInfo_set1_signer_cert(si, cert);
    o.certificate = cert;
    describe(cert, o.section);

    const bool verified = check_cryptography(si, cert, o.section);
    if (auto why = not_a_signing_certificate(cert))
      report_.add("CERT_KEY_USAGE", kIndeterminate, "SIG_CONSTRAINTS_FAILURE",
                  {{"reason", *why}, {"subject", name_text(X509_get_subject_name(cert))}});
    // Best signature time: a trusted timestamp's, else the validation time of the bundle.
    const auto stamped = check_timestamp(si, o.section);
    const long long at = stamped ? *stamped : times_.validation;
    o.section["best_signature_time"] = time_text(at);
    o.section["validation_time_source"] = stamped ? "timestamp" : times_.source;
    const bool signer_time_reported = check_chain(cert, o.section, at);
    // A signature that does not verify proves no time: its attributes may be anyone's.
    if (verified) check_claimed_time(si, cert, stamped, signer_time_reported);
    return o;
  }

 private:
  static X509* find_certificate(CMS_SignerInfo* si, STACK_OF(X509) * certs) {
    for (int i = 0; certs && i < sk_X509_num(certs); ++i)
      if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0) return sk_X509_value(certs, i);
    return nullptr;
  }

  void describe(X509* cert, json& s) {
    const NcaIdentity id = read_nca_identity(cert);
    s["signer_name"] = id.display_name();
    s["iin"] = id.iin ? json(*id.iin) : json(nullptr);
    s["bin"] = id.bin ? json(*id.bin) : json(nullptr);
    s["organization"] = id.organization.empty() ? json(nullptr) : json(id.organization);
    s["role"] = id.role.empty() ? json(nullptr) : json(id.role);
    s["subject_type"] = id.subject_type.empty() ? json(nullptr) : json(id.subject_type);
    s["key_purpose"] = id.key_purpose.empty() ? json(nullptr) : json(id.key_purpose);
    s["certificate_serial"] = serial_hex(cert);
    s["subject"] = name_text(X509_get_subject_name(cert));
    s["issuer"] = name_text(X509_get_issuer_name(cert));
    s["valid_from"] = asn1_time_text(X509_get0_notBefore(cert));
    s["valid_to"] = asn1_time_text(X509_get0_notAfter(cert));
  }

  const SignatureVerifier* verifier_for(const std::string& digest_oid,
                                        const std::string& signature_oid,
                                        const std::string& key_oid) const {
    for (const auto& v : verifiers_)
      if (v->supports(digest_oid, signature_oid, key_oid)) return v.get();
    return nullptr;
  }

  struct Algorithms {
    std::string digest, signature, key;
  };
  static Algorithms algorithms_of(CMS_SignerInfo* si, X509* cert) {
    X509_ALGOR* dig = nullptr;
    X509_ALGOR* sig = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, &sig);
    const ASN1_OBJECT* dig_obj = nullptr;
    const ASN1_OBJECT* sig_obj = nullptr;
    if (dig) X509_ALGOR_get0(&dig_obj, nullptr, nullptr, dig);
    if (sig) X509_ALGOR_get0(&sig_obj, nullptr, nullptr, sig);
    ASN1_OBJECT* key_obj = nullptr;
    X509_PUBKEY_get0_param(&key_obj, nullptr, nullptr, nullptr, X509_get_X509_PUBKEY(cert));
    return {oid_text(dig_obj), oid_text(sig_obj), oid_text(key_obj)};
  }

  static SignerView view_of(const Algorithms& a, const std::string& content, CMS_ContentInfo* cms,
                            CMS_SignerInfo* si, X509* cert) {
    const ASN1_OCTET_STRING* sigval = CMS_SignerInfo_get0_signature(si);
    return SignerView{a.digest,
                      a.signature,
                      a.key,
                      content,
                      signed_attributes_der(si),
                      signed_message_digest(si),
                      sigval ? der_text(sigval) : std::string(),
                      cms,
                      si,
                      cert};
  }

  // Algorithms, key size, and the signature itself through the verifier seam.
  bool check_cryptography(CMS_SignerInfo* si, X509* cert, json& s) {
    const Algorithms a = algorithms_of(si, cert);
    s["digest_algorithm"] = a.digest;
    s["signature_algorithm"] = a.signature;
    s["claimed_signing_time"] = claimed_signing_time(si);

    bool ok = true;
    if (one_of(a.digest, kWeakDigests, std::size(kWeakDigests)) ||
        one_of(a.signature, kWeakSignatures, std::size(kWeakSignatures))) {
      report_.add("SIGNATURE_INVALID", kIndeterminate, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
                  {{"reason", "MD5 and SHA-1 are not accepted for signatures"},
                   {"digest_algorithm", a.digest},
                   {"signature_algorithm", a.signature}});
      ok = false;
    }
    if (EVP_PKEY* key = X509_get0_pubkey(cert)) {
      const int type = EVP_PKEY_get_base_id(key);
      if ((type == EVP_PKEY_RSA || type == EVP_PKEY_RSA_PSS) && EVP_PKEY_get_bits(key) < 2048) {
        report_.add("SIGNATURE_INVALID", kIndeterminate, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
                    {{"reason", "RSA keys under 2048 bits are not accepted"},
                     {"key_bits", EVP_PKEY_get_bits(key)}});
        ok = false;
      }
    }
    ERR_clear_error();  // OpenSSL cannot decode a GOST key: not an error of the signature

    const SignatureVerifier* verifier = verifier_for(a.digest, a.signature, a.key);
    if (!verifier) {
      report_.add(
          "SIGNATURE_ALGORITHM_UNSUPPORTED", kIndeterminate, "CRYPTO_CONSTRAINTS_FAILURE",
          {{"reason", is_gost_oid(a.digest) || is_gost_oid(a.signature) || is_gost_oid(a.key)
                          ? "a GOST algorithm combination this checker does not implement"
                          : "no verifier for this algorithm"},
           {"digest_algorithm", a.digest},
           {"signature_algorithm", a.signature},
           {"key_algorithm", a.key}});
      s["verifier"] = nullptr;
      return false;
    }
    s["verifier"] = std::string(verifier->name());
    const VerifyResult r = verifier->verify(view_of(a, content_, cms_, si, cert));
    ERR_clear_error();
    switch (r.status) {
      case VerifyStatus::kValid:
        return ok;
      case VerifyStatus::kHashMismatch:
        report_.add("SIGNATURE_INVALID", kFailed, "HASH_FAILURE",
                    {{"reason", "manifest.json is not what was signed: " + r.detail}});
        return false;
      case VerifyStatus::kSignatureInvalid:
        report_.add("SIGNATURE_INVALID", kFailed, "SIG_CRYPTO_FAILURE", {{"reason", r.detail}});
        return false;
      case VerifyStatus::kUnsupported:
        report_.add("SIGNATURE_ALGORITHM_UNSUPPORTED", kIndeterminate, "CRYPTO_CONSTRAINTS_FAILURE",
                    {{"reason", r.detail},
                     {"digest_algorithm", a.digest},
                     {"signature_algorithm", a.signature},
                     {"key_algorithm", a.key}});
        return false;
    }
    return false;
  }

  // The RFC 3161 timestamp token in the signer's unsigned attributes (KalkanCrypt adds one
  // from the NCA TSA). Its time is a trusted signing time when the token is of this very
  // signature (message imprint), its signature verifies, and its signer is a time-stamping
  // authority with a path to a trust anchor at that time; otherwise the report says why and
  // the time is not used.
  std::optional<long long> check_timestamp(CMS_SignerInfo* si, json& s) {
    const int idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
    if (idx < 0) {
      s["timestamp"] = nullptr;
      return std::nullopt;
    }
    json t = json::object();
    auto untrusted = [&](const std::string& why) -> std::optional<long long> {
      t["trusted"] = false;
      t["reason"] = why;
      s["timestamp"] = std::move(t);
      ERR_clear_error();
      return std::nullopt;
    };
    const ASN1_TYPE* v = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, idx), 0);
    if (!v || v->type != V_ASN1_SEQUENCE) return untrusted("the timestamp token is not a CMS");
    const unsigned char* p = ASN1_STRING_get0_data(v->value.sequence);
    CmsPtr token(d2i_CMS_ContentInfo(nullptr, &p, ASN1_STRING_length(v->value.sequence)));
    if (!token || OBJ_obj2nid(CMS_get0_type(token.get())) != NID_pkcs7_signed)
      return untrusted("the timestamp token is not a CMS SignedData");
    if (OBJ_obj2nid(CMS_get0_eContentType(token.get())) != NID_id_smime_ct_TSTInfo)
      return untrusted("the timestamp token does not hold a TSTInfo");
    ASN1_OCTET_STRING** econtent = CMS_get0_content(token.get());
    if (!econtent || !*econtent) return untrusted("the timestamp token has no TSTInfo");
    const std::string tst = der_text(*econtent);
    const unsigned char* q = reinterpret_cast<const unsigned char*>(tst.data());
    std::unique_ptr<TS_TST_INFO, OsslDeleter<TS_TST_INFO_free>> info(
        d2i_TS_TST_INFO(nullptr, &q, static_cast<long>(tst.size())));
    if (!info) return untrusted("the TSTInfo cannot be read");
    long long gen_time = 0;
    if (!asn1_time_seconds(TS_TST_INFO_get_time(info.get()), &gen_time))
      return untrusted("the TSTInfo's time cannot be read");
    t["time"] = time_text(gen_time);
    const ASN1_INTEGER* serial = TS_TST_INFO_get_serial(info.get());
    if (serial) t["serial"] = hex(serial->data, static_cast<size_t>(serial->length));

    // The imprint: a digest of this signer's signature value.
    TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info.get());
    const ASN1_OBJECT* imprint_obj = nullptr;
    X509_ALGOR_get0(&imprint_obj, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
    const std::string imprint_oid = oid_text(imprint_obj);
    const ASN1_OCTET_STRING* sigval = CMS_SignerInfo_get0_signature(si);
    const std::string signature = sigval ? der_text(sigval) : std::string();
    std::optional<std::string> expected;
    if (auto h = gost::hash_of_digest_oid(imprint_oid)) {
      expected = gost::digest(*h, signature);
    } else if (const EVP_MD* md = EVP_get_digestbyobj(imprint_obj);
               md && !one_of(imprint_oid, kWeakDigests, std::size(kWeakDigests))) {
      unsigned char buf[EVP_MAX_MD_SIZE];
      unsigned len = 0;
      if (EVP_Digest(signature.data(), signature.size(), buf, &len, md, nullptr) == 1)
        expected = std::string(reinterpret_cast<char*>(buf), len);
    }
    if (!expected)
      return untrusted("the imprint's digest algorithm " + imprint_oid + " is not one we accept");
    if (*expected != der_text(TS_MSG_IMPRINT_get_msg(imprint)))
      return untrusted("the timestamp is of another signature (its message imprint differs)");

    // The token's own signature, by the same verifiers.
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(token.get());
    if (!infos || sk_CMS_SignerInfo_num(infos) != 1)
      return untrusted("the timestamp token has no single signer");
    CMS_SignerInfo* tsi = sk_CMS_SignerInfo_value(infos, 0);
    X509StackPtr token_certs(CMS_get1_certs(token.get()));
    X509* tsa = find_certificate(tsi, token_certs.get());
    if (!tsa) tsa = find_certificate(tsi, const_cast<STACK_OF(X509)*>(trust_.intermediates()));
    if (!tsa) return untrusted("the time-stamping authority's certificate is not in the token");
    CMS_SignerInfo_set1_signer_cert(tsi, tsa);
    t["tsa"] = name_text(X509_get_subject_name(tsa));
    const Algorithms a = algorithms_of(tsi, tsa);
    const SignatureVerifier* verifier = verifier_for(a.digest, a.signature, a.key);
    if (!verifier) return untrusted("no verifier for the token's algorithm " + a.signature);
    const VerifyResult r = verifier->verify(view_of(a, tst, token.get(), tsi, tsa));
    if (r.status != VerifyStatus::kValid)
      return untrusted("the timestamp's signature does not verify: " + r.detail);
    if (!has_timestamping_usage(tsa))
      return untrusted("the token's signer is not a time-stamping authority (extendedKeyUsage)");
    const PathCheck path = verify_path(tsa, gen_time, token_certs.get());
    if (!path.found) return untrusted("no path from the TSA to a trust anchor: " + path.error);
    if (path.expired || path.not_yet_valid)
      return untrusted("a certificate of the TSA's path was not valid at the time it stamped");
    json names = json::array();
    for (X509* c : path.chain) names.push_back(name_text(X509_get_subject_name(c)));
    t["chain"] = std::move(names);
    t["trusted"] = true;
    s["timestamp"] = std::move(t);
    return gen_time;
  }

  PathCheck verify_path(X509* cert, long long at, STACK_OF(X509) * extra) {
    PathCheck out;
    if (needs_own_path_check(cert)) {
      std::vector<X509*> untrusted;
      for (STACK_OF(X509) * s : {cms_certs_, extra})
        for (int i = 0; s && i < sk_X509_num(s); ++i) untrusted.push_back(sk_X509_value(s, i));
      for (int i = 0; i < sk_X509_num(trust_.intermediates()); ++i)
        untrusted.push_back(sk_X509_value(trust_.intermediates(), i));
      CertificatePath p = build_certificate_path(cert, trust_.anchor_list(), untrusted, at,
                                                 &trust_.signature_cache());
      out.found = p.found;
      out.chain = std::move(p.chain);
      out.error = p.error;
      out.no_issuer = p.no_issuer;
      out.unsupported = p.unsupported;
      out.error_depth = p.error_depth;
      out.expired = p.time_error == CertificatePath::TimeError::kExpired;
      out.not_yet_valid = p.time_error == CertificatePath::TimeError::kNotYetValid;
      out.time_error_depth = p.time_error_depth;
      out.time_error_cert = p.time_error_cert;
      return out;
    }
    X509StackPtr untrusted(sk_X509_new_null());
    for (STACK_OF(X509) * s : {cms_certs_, extra})
      for (int i = 0; s && i < sk_X509_num(s); ++i)
        sk_X509_push(untrusted.get(), sk_X509_value(s, i));
    for (int i = 0; i < sk_X509_num(trust_.intermediates()); ++i)
      sk_X509_push(untrusted.get(), sk_X509_value(trust_.intermediates(), i));
    // The stack only borrows: no ref counts were taken, so release without freeing.
    struct Borrowed {
      STACK_OF(X509) * s;
      ~Borrowed() { sk_X509_free(s); }
    } borrowed{untrusted.release()};

    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    ChainState state;
    if (!ctx || X509_STORE_CTX_init(ctx.get(), trust_.anchors(), cert, borrowed.s) != 1) {
      out.error = "cannot set up chain verification: " + openssl_error();
      return out;
    }
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at));
    // Every configured anchor ends a chain, a root or an NCA intermediate alike.
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    X509_STORE_CTX_set_app_data(ctx.get(), &state);
    X509_STORE_CTX_set_verify_cb(ctx.get(), chain_callback);
    const int ok = X509_verify_cert(ctx.get());
    ERR_clear_error();
    if (ok != 1) {
      const int err = X509_STORE_CTX_get_error(ctx.get());
      out.error = X509_verify_cert_error_string(err);
      out.no_issuer = is_untrusted_error(err);
      out.error_depth = X509_STORE_CTX_get_error_depth(ctx.get());
      return out;
    }
    out.found = true;
    out.owned.reset(X509_STORE_CTX_get1_chain(ctx.get()));
    for (int i = 0; i < sk_X509_num(out.owned.get()); ++i)
      out.chain.push_back(sk_X509_value(out.owned.get(), i));
    out.expired = state.time_error == X509_V_ERR_CERT_HAS_EXPIRED;
    out.not_yet_valid = state.time_error == X509_V_ERR_CERT_NOT_YET_VALID;
    out.time_error_depth = state.time_error_depth;
    out.time_error_cert = state.time_error_cert;
    return out;
  }

  // Returns whether a validity error of the signer's own certificate was reported.
  bool check_chain(X509* cert, json& s, long long at) {
    s["validation_time"] = time_text(at);
    if (trust_.anchor_count() == 0) {
      report_.add("PROCESSING_FAILED", kIndeterminate, "NO_CERTIFICATE_CHAIN_FOUND",
                  {{"reason", "no trust anchors are configured (signature.trust_dir '" +
                                  trust_.trust_dir().string() + "')"}});
      return false;
    }
    const PathCheck path = verify_path(cert, at, nullptr);
    if (!path.found && path.unsupported) {
      // Not a chain that fails: one we cannot read. A clerk decides.
      report_.add("SIGNATURE_ALGORITHM_UNSUPPORTED", kIndeterminate, "CRYPTO_CONSTRAINTS_FAILURE",
                  {{"reason",
                    "the certificate chain uses an algorithm or key parameters the "
                    "checker does not implement: " +
                        path.error},
                   {"depth", path.error_depth},
                   {"issuer", name_text(X509_get_issuer_name(cert))}});
      s["chain"] = nullptr;
      return false;
    }
    if (!path.found) {
      report_.add("CERT_UNTRUSTED", kIndeterminate,
                  path.no_issuer ? "NO_CERTIFICATE_CHAIN_FOUND" : "CHAIN_CONSTRAINTS_FAILURE",
                  {{"reason", path.error},
                   {"depth", path.error_depth},
                   {"issuer", name_text(X509_get_issuer_name(cert))}});
      s["chain"] = nullptr;
      return false;
    }
    json chain_names = json::array();
    for (X509* c : path.chain) chain_names.push_back(name_text(X509_get_subject_name(c)));
    s["chain"] = chain_names;
    if (path.expired || path.not_yet_valid) {
      X509* bad = path.time_error_cert ? path.time_error_cert : cert;
      report_.add(
          "CERT_EXPIRED", path.expired ? kIndeterminate : kFailed,
          path.expired ? "OUT_OF_BOUNDS_NO_POE" : "NOT_YET_VALID",
          {{"reason", path.expired ? "the certificate had expired at the validation time"
                                   : "the certificate was not yet valid at the validation time"},
           {"depth", path.time_error_depth},
           {"subject", name_text(X509_get_subject_name(bad))},
           {"valid_from", asn1_time_text(X509_get0_notBefore(bad))},
           {"valid_to", asn1_time_text(X509_get0_notAfter(bad))},
           {"validation_time", time_text(at)}});
    }
    check_revocation(path.chain, s, at);
    return (path.expired || path.not_yet_valid) && path.time_error_depth == 0;
  }

  // The signature's own claim of when it was made (the signingTime attribute) must fall within
  // the signer certificate's validity (else CERT_EXPIRED: a signature made with an expired or
  // not yet valid key, whatever submitted_at says) and must not be later than submitted_at
  // beyond the clock tolerance (else BUNDLE_MALFORMED: the manifest's claim is false). The
  // same for a trusted timestamp's time against submitted_at.
  void check_claimed_time(CMS_SignerInfo* si, X509* cert, std::optional<long long> stamped,
                          bool signer_time_reported) {
    const auto claimed = signing_time_seconds(si);
    if (claimed && !signer_time_reported) {
      long long nb = 0, na = 0;
      const bool has_nb = asn1_time_seconds(X509_get0_notBefore(cert), &nb);
      const bool has_na = asn1_time_seconds(X509_get0_notAfter(cert), &na);
      const bool expired = has_na && *claimed > na;
      const bool early = has_nb && *claimed < nb;
      if (expired || early)
        report_.add("CERT_EXPIRED", expired ? kIndeterminate : kFailed,
                    expired ? "OUT_OF_BOUNDS_NO_POE" : "NOT_YET_VALID",
                    {{"reason", std::string("the signature says it was made on ") +
                                    time_text(*claimed) + ", when the signer's certificate " +
                                    (expired ? "had expired" : "was not yet valid")},
                     {"depth", 0},
                     {"subject", name_text(X509_get_subject_name(cert))},
                     {"valid_from", asn1_time_text(X509_get0_notBefore(cert))},
                     {"valid_to", asn1_time_text(X509_get0_notAfter(cert))},
                     {"claimed_signing_time", time_text(*claimed)}});
    }
    if (!times_.submitted_at) return;
    const long long limit = *times_.submitted_at + times_.clock_skew;
    for (auto [t, what] :
         {std::pair{claimed, "signingTime attribute"}, std::pair{stamped, "timestamp token"}}) {
      if (!t || *t <= limit) continue;
      report_.add_plain(
          "BUNDLE_MALFORMED",
          {{"field", "submitted_at"},
           {"reason", std::string("the signature's ") + what + " (" + time_text(*t) +
                          ") is later than submitted_at (" + time_text(*times_.submitted_at) +
                          "): the bundle cannot have been submitted before it was signed"}});
    }
  }

  // The signer's certificate needs a CRL from its issuer, signed by that issuer, that covers
  // the validation time (its nextUpdate is not before it); intermediate CA certificates are
  // checked against their issuer's CRL when one is configured. A delta CRL (NCA publishes
  // them beside the full ones) covers the time too when its base CRL is configured, and is
  // read beside the newest full CRL. Listed with a revocation date at or before the
  // validation time: revoked.
  void check_revocation(const std::vector<X509*>& chain, json& s, long long at) {
    const size_t n = chain.size();
    json used = json::array();
    for (size_t i = 0; i + 1 < n; ++i) {
      X509* c = chain[i];
      X509* issuer = chain[i + 1];
      const CrlEntry* full = nullptr;
      const CrlEntry* delta = nullptr;
      long long full_this = 0, delta_this = 0;
      long long newest_next = 0;
      bool any_from_issuer = false, any_full = false;
      for (const auto& e : trust_.crls()) {
        X509_CRL* crl = e.crl.get();
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0) continue;
        if (!trust_.signature_cache().crl(crl, issuer).ok()) continue;  // not really the issuer's
        any_from_issuer = true;
        const bool is_delta = X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0;
        any_full = any_full || !is_delta;
        long long this_update = 0, next_update = 0;
        if (!asn1_time_seconds(X509_CRL_get0_lastUpdate(crl), &this_update)) continue;
        const bool has_next = asn1_time_seconds(X509_CRL_get0_nextUpdate(crl), &next_update);
        newest_next = std::max(newest_next, has_next ? next_update : this_update);
        const bool covers = has_next ? next_update >= at : this_update >= at;
        if (!covers) continue;
        if (is_delta && (!delta || this_update > delta_this)) {
          delta = &e;
          delta_this = this_update;
        } else if (!is_delta && (!full || this_update > full_this)) {
          full = &e;
          full_this = this_update;
        }
      }
      ERR_clear_error();
      if (delta && !any_full) delta = nullptr;  // a delta without its base says too little
      const std::string subject = name_text(X509_get_subject_name(c));
      if (!full && !delta && i > 0) {
        // A CA certificate without a CRL of its issuer: checked when one is configured, not
        // required (the signer's own certificate is).
        used.push_back({{"for", subject}, {"file", nullptr}});
        continue;
      }
      if (!full && !delta) {
        report_.add("REVOCATION_UNKNOWN", kIndeterminate, "TRY_LATER",
                    {{"reason", any_from_issuer
                                    ? "the newest CRL of the issuer expired on " +
                                          time_text(newest_next) + ", before the validation time"
                                    : "no CRL of the issuer is configured"},
                     {"subject", subject},
                     {"issuer", name_text(X509_get_subject_name(issuer))},
                     {"validation_time", time_text(at)}});
        continue;
      }
      // With only a covering delta, the newest full CRL of the issuer is its base.
      if (!full)
        for (const auto& e : trust_.crls()) {
          X509_CRL* crl = e.crl.get();
          long long tu = 0;
          if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0 ||
              X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0 ||
              !asn1_time_seconds(X509_CRL_get0_lastUpdate(crl), &tu) ||
              !trust_.signature_cache().crl(crl, issuer).ok())
            continue;
          if (!full || tu > full_this) {
            full = &e;
            full_this = tu;
          }
        }
      ERR_clear_error();
      for (const CrlEntry* e : {full, delta}) {
        if (!e) continue;
        X509_CRL* crl = e->crl.get();
        json u = {{"file", e->file},
                  {"issuer", name_text(X509_CRL_get_issuer(crl))},
                  {"this_update", asn1_time_text(X509_CRL_get0_lastUpdate(crl))},
                  {"next_update", asn1_time_text(X509_CRL_get0_nextUpdate(crl))},
                  {"delta", e == delta},
                  {"for", subject}};
        X509_REVOKED* revoked = nullptr;
        if (X509_CRL_get0_by_cert(crl, &revoked, c) == 1 && revoked) {
          const ASN1_TIME* when = X509_REVOKED_get0_revocationDate(revoked);
          long long when_s = 0;
          const bool dated = asn1_time_seconds(when, &when_s);
          u["revoked_at"] = asn1_time_text(when);
          if (!dated || when_s <= at) {
            report_.add("CERT_REVOKED", kFailed, "REVOKED",
                        {{"reason", "revoked on " + asn1_time_text(when) +
                                        ", at or before the validation time"},
                         {"subject", subject},
                         {"revoked_at", asn1_time_text(when)},
                         {"validation_time", time_text(at)},
                         {"crl", e->file}});
          }
        }
        ERR_clear_error();
        used.push_back(std::move(u));
      }
    }
    s["crl_used"] = used;
  }

  const TrustStore& trust_;
  const std::vector<std::shared_ptr<const SignatureVerifier>>& verifiers_;
  Report& report_;
  CMS_ContentInfo* cms_;
  const std::string& content_;
  STACK_OF(X509) * cms_certs_;
  Times times_;
};

// Does the signer (by its certificate) stand for the manifest's filer?
void check_identity(const Manifest& m, const std::vector<X509*>& signers, Report& report) {
  if (signers.empty()) return;
  json first_reason;
  for (X509* cert : signers) {
    const NcaIdentity id = read_nca_identity(cert);
    std::string reason;
    // Whether the signer is the filer is a comparison of the two identities. A number that
    // fails its check digit in both is the filer's number being wrong (FILER_ID_INVALID, the
    // identity stage): the signer is still the filer, and no second reason is true.
    if (!id.iin) {
      reason = "the certificate carries no IIN (subject SERIALNUMBER)";
    } else if (!m.filer.iin || *id.iin != *m.filer.iin) {
      reason = "the certificate's IIN " + *id.iin + " is not the filer's " +
               (m.filer.iin ? *m.filer.iin : std::string("(none)"));
    } else if (m.filer.kind == "legal_entity") {
      if (!id.bin) {
        reason = "the filer is a legal entity but the certificate carries no BIN";
      } else if (!m.filer.bin || *id.bin != *m.filer.bin) {
        reason = "the certificate's BIN " + *id.bin + " is not the filer's " +
                 (m.filer.bin ? *m.filer.bin : std::string("(none)"));
      }
    }
    if (reason.empty()) {
      // Only a filer acting as the entity itself: one acting under a power of attorney shows
      // its authority by that document (AUTHORITY_MISSING when it is absent).
      if (m.filer.kind == "legal_entity" && m.filer.capacity == "self" && id.role == "employee" &&
          !id.has_signing_authority())
        report.add("SIGNER_AUTHORITY", kIndeterminate, "SIG_CONSTRAINTS_FAILURE",
                   {{"reason",
                     "an employee's certificate without the right to sign for the "
                     "legal entity"},
                    {"role", id.role},
                    {"signer", id.display_name()},
                    {"bin", *id.bin}});
      return;  // one matching signer is enough
    }
    if (first_reason.is_null())
      first_reason = {{"reason", reason},
                      {"certificate_iin", id.iin ? json(*id.iin) : json(nullptr)},
                      {"certificate_bin", id.bin ? json(*id.bin) : json(nullptr)},
                      {"filer_iin", m.filer.iin ? json(*m.filer.iin) : json(nullptr)},
                      {"filer_bin", m.filer.bin ? json(*m.filer.bin) : json(nullptr)}};
  }
  report.add("SIGNER_MISMATCH", kIndeterminate, "SIG_CONSTRAINTS_FAILURE", std::move(first_reason));
}

}  // namespace

SignatureStage::SignatureStage(std::shared_ptr<const TrustStore> trust,
                               std::vector<std::shared_ptr<const SignatureVerifier>> verifiers,
                               std::int64_t clock_skew_seconds)
    : trust_(std::move(trust)),
      verifiers_(std::move(verifiers)),
      clock_skew_seconds_(clock_skew_seconds) {}

void SignatureStage::run(BundleContext& ctx, Findings& out) const {
  const Bundle& b = ctx.bundle;
  if (b.open_failure()) return;
  Report report(out);
  const Manifest* m = b.manifest();
  // Validation time: submitted_at (also from a manifest that is wrong elsewhere). One in the
  // future of arrival is a malformed claim (the integrity stage says so): the signature is
  // then judged at arrival, never at a time the filer chose.
  // Without a usable submitted_at, the signer's own signingTime (if not in the future), else
  // the arrival time.
  const auto& claimed = b.submitted_at();
  const bool use_claim = claimed && claimed->utc <= ctx.arrival;
  SysSeconds vt = use_claim ? claimed->utc : ctx.arrival;
  const char* vt_source = use_claim ? "submitted_at" : "arrival";
  json section = {{"validation_time", format_rfc3339(vt, 0)},
                  {"validation_time_source", vt_source}};
  auto finish = [&] {
    section["indication"] = report.indication();
    section["sub_indication"] = report.sub_indication();
    ctx.sections["signature"] = std::move(section);
  };

  if (b.signature_unreadable()) {
    report.add("SIGNATURE_INVALID", kFailed, "FORMAT_FAILURE",
               {{"reason", "manifest.json.p7s " + *b.signature_unreadable()}});
    return finish();
  }
  if (!b.has_signature()) {
    report.add("SIGNATURE_MISSING", kFailed, "FORMAT_FAILURE",
               {{"reason", "the bundle has no manifest.json.p7s"}});
    return finish();
  }
  DecodedCms decoded = decode_cms(*b.signature_bytes());
  section["encoding"] = std::string(to_string(decoded.encoding));
  if (!decoded.cms) {
    report.add("SIGNATURE_INVALID", kFailed, "FORMAT_FAILURE", {{"reason", decoded.failure}});
    return finish();
  }
  CMS_ContentInfo* cms = decoded.cms.get();
  if (!b.manifest_read()) {
    // Nothing to verify against: BUNDLE_MALFORMED already says the manifest is missing.
    section["indication"] = kIndeterminate;
    section["sub_indication"] = "SIGNED_DATA_NOT_FOUND";
    ctx.sections["signature"] = std::move(section);
    return;
  }
  // Detached is the contract; an attached copy is accepted only if it is manifest.json.
  if (ASN1_OCTET_STRING** content = CMS_get0_content(cms); content && *content) {
    const std::string attached(reinterpret_cast<const char*>(ASN1_STRING_get0_data(*content)),
                               static_cast<size_t>(ASN1_STRING_length(*content)));
    if (attached != b.manifest_bytes()) {
      report.add("SIGNATURE_INVALID", kFailed, "HASH_FAILURE",
                 {{"reason", "the signature carries content other than manifest.json"}});
      return finish();
    }
  }
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  const int n = infos ? sk_CMS_SignerInfo_num(infos) : 0;
  if (n == 0) {
    report.add("SIGNATURE_INVALID", kFailed, "FORMAT_FAILURE",
               {{"reason", "the CMS SignedData has no signer"}});
    return finish();
  }
  // Each signer costs path searches and signature checks: bounded before the work.
  if (n > kMaxSigners) {
    report.add("SIGNATURE_INVALID", kFailed, "FORMAT_FAILURE",
               {{"reason", "the signature has " + std::to_string(n) + " signers, more than the " +
                               std::to_string(kMaxSigners) + " a filing can carry"}});
    return finish();
  }
  if (!use_claim)
    if (auto t = signing_time_seconds(sk_CMS_SignerInfo_value(infos, 0));
        t && SysSeconds{std::chrono::seconds{*t}} <= ctx.arrival) {
      vt = SysSeconds{std::chrono::seconds{*t}};
      vt_source = "signing_time";
      section["validation_time"] = format_rfc3339(vt, 0);
      section["validation_time_source"] = vt_source;
    }
  X509StackPtr certs(CMS_get1_certs(cms));
  SignerCheck::Times times{vt.time_since_epoch().count(), vt_source, std::nullopt,
                           clock_skew_seconds_};
  if (claimed) times.submitted_at = claimed->utc.time_since_epoch().count();
  SignerCheck check(*trust_, verifiers_, report, cms, b.manifest_bytes(), certs.get(), times);
  json signers = json::array();
  std::vector<X509*> signer_certs;
  for (int i = 0; i < n; ++i) {
    SignerOutcome o = check.run(sk_CMS_SignerInfo_value(infos, i));
    if (o.certificate) signer_certs.push_back(o.certificate);
    signers.push_back(std::move(o.section));
  }
  if (m) check_identity(*m, signer_certs, report);
  ERR_clear_error();
  // The first signer's facts at the top level: what a clerk reads first.
  for (auto& [k, v] : signers[0].items()) section[k] = v;
  section["signers"] = std::move(signers);
  section["submitted_at"] = m ? json(m->submitted_at_text) : json(nullptr);
  finish();
}

}  // namespace sot::signature
