#include "generator/TestPki.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "generator/Der.hpp"
#include "generator/GostKeys.hpp"

namespace sot::samples {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = "";
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  throw std::runtime_error("test PKI: " + what + ": " + buf);
}

EVP_PKEY* rsa_key(unsigned bits) {
  EVP_PKEY* k = EVP_RSA_gen(bits);
  if (!k) fail("RSA key generation");
  return k;
}

EVP_PKEY* ec_key() {
  EVP_PKEY* k = EVP_EC_gen("P-256");
  if (!k) fail("EC key generation");
  return k;
}

ASN1_TIME* time_of(const char* generalized) {
  ASN1_TIME* t = ASN1_TIME_new();
  if (!ASN1_TIME_set_string_X509(t, generalized)) fail(std::string("time ") + generalized);
  return t;
}

struct NameEntry {
  const char* field;
  std::string value;
};

X509_NAME* make_name(const std::vector<NameEntry>& entries) {
  X509_NAME* n = X509_NAME_new();
  for (const auto& e : entries)
    if (!X509_NAME_add_entry_by_txt(n, e.field, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(e.value.c_str()), -1, -1,
                                    0))
      fail(std::string("name entry ") + e.field);
  return n;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) fail("extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

struct CertSpec {
  std::vector<NameEntry> subject;
  const char* not_before;
  const char* not_after;
  bool ca = false;
  std::string key_usage;  // e.g. "critical,digitalSignature,nonRepudiation"
  std::string eku;        // e.g. "emailProtection,1.2.398.3.3.4.1.1"
};

long g_serial = 0x1000;

// A certificate of `spec` issued by `issuer` (itself when null), unsigned; `set_key` puts the
// subject's public key in before the key identifiers are derived from it.
X509* unsigned_certificate(const CertSpec& spec, X509* issuer,
                           const std::function<void(X509*)>& set_key) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), ++g_serial);
  X509_NAME* subject = make_name(spec.subject);
  X509_set_subject_name(cert, subject);
  X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : subject);
  X509_NAME_free(subject);
  ASN1_TIME* nb = time_of(spec.not_before);
  ASN1_TIME* na = time_of(spec.not_after);
  X509_set1_notBefore(cert, nb);
  X509_set1_notAfter(cert, na);
  ASN1_TIME_free(nb);
  ASN1_TIME_free(na);
  set_key(cert);
  X509* iss = issuer ? issuer : cert;
  add_ext(cert, iss, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_ext(cert, iss, NID_subject_key_identifier, "hash");
  add_ext(cert, iss, NID_authority_key_identifier, "keyid:always");
  if (!spec.key_usage.empty()) add_ext(cert, iss, NID_key_usage, spec.key_usage);
  if (!spec.eku.empty()) add_ext(cert, iss, NID_ext_key_usage, spec.eku);
  return cert;
}

X509* issue(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  X509* cert = unsigned_certificate(spec, issuer, [&](X509* c) { X509_set_pubkey(c, key); });
  if (!X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256())) fail("certificate signing");
  return cert;
}

struct Revocation {
  X509* cert;
  const char* when;
};

// A CRL of `issuer`, unsigned.
X509_CRL* unsigned_crl(X509* issuer, const char* this_update, const char* next_update,
                       const std::vector<Revocation>& revoked) {
  X509_CRL* crl = X509_CRL_new();
  X509_CRL_set_version(crl, 1);
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
  ASN1_TIME* tu = time_of(this_update);
  ASN1_TIME* nu = time_of(next_update);
  X509_CRL_set1_lastUpdate(crl, tu);
  X509_CRL_set1_nextUpdate(crl, nu);
  ASN1_TIME_free(tu);
  ASN1_TIME_free(nu);
  for (const auto& r : revoked) {
    X509_REVOKED* rev = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(r.cert));
    ASN1_TIME* when = time_of(r.when);
    X509_REVOKED_set_revocationDate(rev, when);
    ASN1_TIME_free(when);
    X509_CRL_add0_revoked(crl, rev);
  }
  return crl;
}

X509_CRL* make_crl(X509* issuer, EVP_PKEY* key, const char* this_update, const char* next_update,
                   const std::vector<Revocation>& revoked) {
  X509_CRL* crl = unsigned_crl(issuer, this_update, next_update, revoked);
  X509_CRL_sort(crl);
  if (!X509_CRL_sign(crl, key, EVP_sha256())) fail("CRL signing");
  return crl;
}

std::string pem_of(X509* cert) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(b);
  return out;
}

void write_file(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::string base64(const std::string& der) {
  std::string out(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(der.data()),
                                static_cast<int>(der.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// As NCA writes a person: CN = surname and given name, SURNAME, and GIVENNAME = the patronymic.
std::vector<NameEntry> person(const std::string& iin, const std::string& surname,
                              const std::string& given, const std::string& patronymic) {
  return {{"C", "KZ"},
          {"CN", surname + " " + given},
          {"SN", surname},
          {"GN", patronymic},
          {"serialNumber", "IIN" + iin}};
}

std::vector<NameEntry> employee(const std::string& iin, const std::string& surname,
                                const std::string& given, const std::string& patronymic,
                                const std::string& bin) {
  auto n = person(iin, surname, given, patronymic);
  n.push_back({"O", "ЖШС «Мысал»"});
  n.push_back({"OU", "BIN" + bin});
  return n;
}

constexpr const char* kSigningKu = "critical,digitalSignature,nonRepudiation";
// A parameter set OID under NCA's GOST 2015 arc that no verifier knows.
constexpr const char* kUnknownCurve = "1.2.398.3.10.1.1.2.2.99";
constexpr const char* kIndividualEku = "emailProtection,1.2.398.3.3.4.1.1";

std::string der_of(X509* cert) {
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert, &der);
  if (n <= 0) fail("certificate encoding");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

std::string der_of(X509_CRL* crl) {
  unsigned char* der = nullptr;
  const int n = i2d_X509_CRL(crl, &der);
  if (n <= 0) fail("CRL encoding");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

std::string der_of(const X509_NAME* name) {
  unsigned char* der = nullptr;
  const int n = i2d_X509_NAME(name, &der);
  if (n <= 0) fail("name encoding");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

// OpenSSL builds a GOST certificate or CRL but cannot sign it: it is signed with a placeholder
// EC key, then the algorithm (inside the signed part and outside) becomes the GOST one and the
// signature is made again with the GOST key. SEQUENCE { tbs, algorithm, signature }; the
// algorithm inside the tbs is its first SEQUENCE.
std::string gost_resigned(const std::string& der, const GostKey& key) {
  const auto parts = der::children(der);
  auto tbs_parts = der::children(parts.at(0));
  for (auto& p : tbs_parts)
    if (p[0] == '\x30') {
      p = der::algorithm(key.signature_oid());
      break;
    }
  const std::string tbs = der::seq(tbs_parts);
  return der::seq({tbs, der::algorithm(key.signature_oid()), der::bit_string(key.sign(tbs))});
}

void set_gost_public_key(X509* cert, const GostKey& k) {
  X509_PUBKEY* pub = X509_get_X509_PUBKEY(cert);
  const std::string params = k.parameters_der();
  ASN1_STRING* ps = ASN1_STRING_new();
  ASN1_STRING_set(ps, params.data(), static_cast<int>(params.size()));
  const std::string bits = k.public_key_bits();
  auto* b = static_cast<unsigned char*>(OPENSSL_malloc(bits.size()));
  std::memcpy(b, bits.data(), bits.size());
  if (!pub || !X509_PUBKEY_set0_param(pub, OBJ_txt2obj(k.key_oid(), 1), V_ASN1_SEQUENCE, ps, b,
                                      static_cast<int>(bits.size())))
    fail("GOST public key");
}

EVP_PKEY* placeholder_key() {
  static EVP_PKEY* k = ec_key();
  return k;
}

// A certificate with a GOST public key, signed by a GOST issuer (or itself).
X509* issue_gost(const CertSpec& spec, const GostKey& key, X509* issuer,
                 const GostKey* issuer_key) {
  X509* cert = unsigned_certificate(spec, issuer, [&](X509* c) { set_gost_public_key(c, key); });
  if (!X509_sign(cert, placeholder_key(), EVP_sha256())) fail("certificate placeholder signing");
  const std::string der = gost_resigned(der_of(cert), issuer_key ? *issuer_key : key);
  X509_free(cert);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* out = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (!out) fail("GOST certificate parsing");
  return out;
}

// A GOST-signed CRL; `delta_of` > 0 makes it a delta CRL of that base CRL number.
X509_CRL* make_gost_crl(X509* issuer, const GostKey& key, const char* this_update,
                        const char* next_update, const std::vector<Revocation>& revoked,
                        long number, long delta_of) {
  X509_CRL* crl = unsigned_crl(issuer, this_update, next_update, revoked);
  ASN1_INTEGER* n = ASN1_INTEGER_new();
  ASN1_INTEGER_set(n, number);
  X509_CRL_add1_ext_i2d(crl, NID_crl_number, n, 0, 0);
  if (delta_of > 0) {
    ASN1_INTEGER_set(n, delta_of);
    X509_CRL_add1_ext_i2d(crl, NID_delta_crl, n, 1, 0);
  }
  ASN1_INTEGER_free(n);
  X509_CRL_sort(crl);
  if (!X509_CRL_sign(crl, placeholder_key(), EVP_sha256())) fail("CRL placeholder signing");
  const std::string der = gost_resigned(der_of(crl), key);
  X509_CRL_free(crl);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509_CRL* out = d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()));
  if (!out) fail("GOST CRL parsing");
  return out;
}

std::string attribute(const char* oid, const std::string& value) {
  return der::seq({der::oid(oid), der::set_of({value})});
}

constexpr const char* kOidData = "1.2.840.113549.1.7.1";
constexpr const char* kOidSignedData = "1.2.840.113549.1.7.2";
constexpr const char* kOidContentType = "1.2.840.113549.1.9.3";
constexpr const char* kOidMessageDigest = "1.2.840.113549.1.9.4";
constexpr const char* kOidSigningTime = "1.2.840.113549.1.9.5";
constexpr const char* kOidTstInfo = "1.2.840.113549.1.9.16.1.4";
constexpr const char* kOidTimestampToken = "1.2.840.113549.1.9.16.2.14";

// A CMS SignedData (RFC 5652) with one GOST signer, as KalkanCrypt writes it: signed
// attributes contentType, signingTime and messageDigest; the signature over their DER SET.
std::string gost_signed_data(const GostKey& key, X509* cert, const std::vector<X509*>& certs,
                             const char* content_type, const std::string& content, bool attach,
                             const std::string& signing_time, const std::string& unsigned_attrs) {
  const std::string signed_attrs =
      der::set_of({attribute(kOidContentType, der::oid(content_type)),
                   attribute(kOidSigningTime, der::utc_time(signing_time)),
                   attribute(kOidMessageDigest, der::octet(key.hash(content)))});
  std::vector<std::string> si = {
      der::integer(1),
      der::seq({der_of(X509_get_issuer_name(cert)),
                [&] {
                  unsigned char* d = nullptr;
                  const int n = i2d_ASN1_INTEGER(X509_get_serialNumber(cert), &d);
                  std::string s(reinterpret_cast<char*>(d), static_cast<size_t>(n));
                  OPENSSL_free(d);
                  return s;
                }()}),
      der::algorithm(key.digest_oid()),
      der::tlv(0xA0, der::content(signed_attrs)),
      der::algorithm(key.signature_oid()),
      der::octet(key.sign(signed_attrs))};
  if (!unsigned_attrs.empty()) si.push_back(der::tlv(0xA1, unsigned_attrs));
  std::string cert_ders;
  for (X509* c : certs) cert_ders += der_of(c);
  std::vector<std::string> encap = {der::oid(content_type)};
  if (attach) encap.push_back(der::tlv(0xA0, der::octet(content)));
  const std::string sd = der::seq({der::integer(std::string(content_type) == kOidData ? 1 : 3),
                                   der::set_of({der::algorithm(key.digest_oid())}), der::seq(encap),
                                   der::tlv(0xA0, cert_ders), der::set_of({der::seq(si)})});
  return der::seq({der::oid(kOidSignedData), der::tlv(0xA0, sd)});
}

}  // namespace

// The CMS as DER, PEM (CMS or PKCS7 armour) or bare base64.
std::string encoded(const std::string& der, SignatureEncoding encoding);

struct TestPki::Impl {
  struct Entity {
    X509* cert = nullptr;
    EVP_PKEY* key = nullptr;
    X509* issuer = nullptr;         // the CA certificate that issued it
    std::optional<GostKey> gost;    // a GOST entity's key (then `key` is null)
    std::optional<GostKey> signer;  // the key it signs with, when not its certificate's
  };
  Entity root, nca, stale_ca, untrusted_root, untrusted_ca;
  Entity gost_root, gost_nca, gost_tsa, gost_untrusted_root, gost_untrusted_ca, gost_odd_ca,
      gost_stale_ca;
  X509_CRL* gost_crl = nullptr;
  X509_CRL* gost_stale_crl = nullptr;
  X509_CRL* gost_delta_crl = nullptr;
  std::mutex mutex;  // signers and CRLs are made on first use
  std::map<std::string, Entity> signers;
  X509_CRL* root_crl = nullptr;
  X509_CRL* nca_crl = nullptr;
  X509_CRL* stale_crl = nullptr;

  ~Impl() {
    for (Entity* e :
         {&root, &nca, &stale_ca, &untrusted_root, &untrusted_ca, &gost_root, &gost_nca, &gost_tsa,
          &gost_untrusted_root, &gost_untrusted_ca, &gost_odd_ca, &gost_stale_ca}) {
      X509_free(e->cert);
      EVP_PKEY_free(e->key);
    }
    for (auto& [_, e] : signers) {
      X509_free(e.cert);
      EVP_PKEY_free(e.key);
    }
    X509_CRL_free(root_crl);
    X509_CRL_free(nca_crl);
    X509_CRL_free(stale_crl);
    X509_CRL_free(gost_crl);
    X509_CRL_free(gost_delta_crl);
    X509_CRL_free(gost_stale_crl);
  }

  // CAs use P-256 keys (made in microseconds); NCA-typical RSA-2048 is kept for the filers'
  // own keys, where the algorithm is what is being tested.
  Entity ca(const std::string& cn, Entity* parent) {
    CertSpec spec{{{"C", "KZ"}, {"O", "sot-intake test PKI"}, {"CN", cn}},
                  "20200101000000Z",
                  "20400101000000Z",
                  true,
                  "critical,keyCertSign,cRLSign",
                  ""};
    Entity e;
    e.key = ec_key();
    e.cert = issue(spec, e.key, parent ? parent->cert : nullptr, parent ? parent->key : nullptr);
    e.issuer = parent ? parent->cert : e.cert;
    return e;
  }

  // NCA's GOST CAs: a GOST 34.10-2015 root and CA, keys from libgcrypt.
  Entity gost_ca(const std::string& cn, Entity* parent) {
    CertSpec spec{{{"C", "KZ"}, {"CN", cn}},
                  "20200101000000Z",
                  "20400101000000Z",
                  true,
                  "critical,keyCertSign,cRLSign",
                  ""};
    Entity e;
    e.gost = GostKey::generate(false);
    e.cert = issue_gost(spec, *e.gost, parent ? parent->cert : nullptr,
                        parent ? &*parent->gost : nullptr);
    e.issuer = parent ? parent->cert : e.cert;
    return e;
  }

  struct SignerSpec {
    const char* name;
    CertSpec cert;
    enum { kRsa2048, kRsa1024, kEc, kGost, kGost2004, kGostWrongKey, kGostUnknownCurve } key;
    Entity Impl::*by;
  };

  static const std::vector<SignerSpec>& specs() {
    const auto individual = [](const char* nb, const char* na) {
      return CertSpec{person("900101300126", "АХМЕТОВ", "АРМАН", "СЕРІКҰЛЫ"),
                      nb,
                      na,
                      false,
                      kSigningKu,
                      kIndividualEku};
    };
    const char* y0 = "20250101000000Z";
    const char* y1 = "20260101000000Z";
    static const std::vector<SignerSpec> v = {
        {"individual", individual(y0, y1), SignerSpec::kRsa2048, &Impl::nca},
        {"individual-ec", individual(y0, y1), SignerSpec::kEc, &Impl::nca},
        {"expired", individual("20240101000000Z", "20250630000000Z"), SignerSpec::kEc, &Impl::nca},
        {"not-yet-valid", individual("20251101000000Z", "20261101000000Z"), SignerSpec::kEc,
         &Impl::nca},
        {"revoked", individual(y0, y1), SignerSpec::kEc, &Impl::nca},
        {"revoked-later", individual(y0, y1), SignerSpec::kEc, &Impl::nca},
        {"stale-crl", individual(y0, y1), SignerSpec::kEc, &Impl::stale_ca},
        {"untrusted", individual(y0, y1), SignerSpec::kEc, &Impl::untrusted_ca},
        {"rsa1024", individual(y0, y1), SignerSpec::kRsa1024, &Impl::nca},
        {"auth-key",
         CertSpec{person("900101300126", "АХМЕТОВ", "АРМАН", "СЕРІКҰЛЫ"), y0, y1, false,
                  "critical,digitalSignature,keyEncipherment", "clientAuth,1.2.398.3.3.4.1.1"},
         SignerSpec::kEc, &Impl::nca},
        {"digital-signature-only",
         CertSpec{person("900101300126", "АХМЕТОВ", "АРМАН", "СЕРІКҰЛЫ"), y0, y1, false,
                  "critical,digitalSignature", ""},
         SignerSpec::kEc, &Impl::nca},
        {"no-usage-extensions",
         CertSpec{person("900101300126", "АХМЕТОВ", "АРМАН", "СЕРІКҰЛЫ"), y0, y1, false, "", ""},
         SignerSpec::kEc, &Impl::nca},
        // The filer's own certificate, whose IIN (like the filer's in the manifest) fails its
        // check digit.
        {"bad-check-digit",
         CertSpec{person("900101300127", "АХМЕТОВ", "АРМАН", "СЕРІКҰЛЫ"), y0, y1, false, kSigningKu,
                  kIndividualEku},
         SignerSpec::kEc, &Impl::nca},
        {"other-person",
         CertSpec{person("880515300091", "СЕРІКОВА", "АЙГҮЛ", "НҰРЛАНҚЫЗЫ"), y0, y1, false,
                  kSigningKu, kIndividualEku},
         SignerSpec::kEc, &Impl::nca},
        {"legal-head",
         CertSpec{employee("880515300091", "СЕРІКОВА", "АЙГҮЛ", "НҰРЛАНҚЫЗЫ", "050140000656"), y0,
                  y1, false, kSigningKu, "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1"},
         SignerSpec::kRsa2048, &Impl::nca},
        {"legal-employee",
         CertSpec{employee("880515300091", "СЕРІКОВА", "АЙГҮЛ", "НҰРЛАНҚЫЗЫ", "050140000656"), y0,
                  y1, false, kSigningKu, "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.5"},
         SignerSpec::kEc, &Impl::nca},
        // NCA's GOST branch: the same people, GOST keys.
        {"gost-individual", individual(y0, y1), SignerSpec::kGost, &Impl::gost_nca},
        {"gost-2004", individual(y0, y1), SignerSpec::kGost2004, &Impl::gost_nca},
        {"gost-expired", individual("20240101000000Z", "20250630000000Z"), SignerSpec::kGost,
         &Impl::gost_nca},
        {"gost-not-yet-valid", individual("20251101000000Z", "20261101000000Z"), SignerSpec::kGost,
         &Impl::gost_nca},
        {"gost-revoked", individual(y0, y1), SignerSpec::kGost, &Impl::gost_nca},
        {"gost-revoked-later", individual(y0, y1), SignerSpec::kGost, &Impl::gost_nca},
        {"gost-revoked-delta", individual(y0, y1), SignerSpec::kGost, &Impl::gost_nca},
        {"gost-untrusted", individual(y0, y1), SignerSpec::kGost, &Impl::gost_untrusted_ca},
        {"gost-wrong-key", individual(y0, y1), SignerSpec::kGostWrongKey, &Impl::gost_nca},
        {"gost-unknown-curve", individual(y0, y1), SignerSpec::kGostUnknownCurve, &Impl::gost_nca},
        {"gost-under-unknown-curve", individual(y0, y1), SignerSpec::kGost, &Impl::gost_odd_ca},
        {"gost-stale-crl", individual(y0, y1), SignerSpec::kGost, &Impl::gost_stale_ca},
        {"gost-auth-key",
         CertSpec{person("900101300126", "АХМЕТОВ", "АРМАН", "СЕРІКҰЛЫ"), y0, y1, false,
                  "critical,digitalSignature,keyEncipherment", "clientAuth,1.2.398.3.3.4.1.1"},
         SignerSpec::kGost, &Impl::gost_nca},
        {"gost-other-person",
         CertSpec{person("880515300091", "СЕРІКОВА", "АЙГҮЛ", "НҰРЛАНҚЫЗЫ"), y0, y1, false,
                  kSigningKu, kIndividualEku},
         SignerSpec::kGost, &Impl::gost_nca},
        {"gost-legal-head",
         CertSpec{employee("880515300091", "СЕРІКОВА", "АЙГҮЛ", "НҰРЛАНҚЫЗЫ", "050140000656"), y0,
                  y1, false, kSigningKu, "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1"},
         SignerSpec::kGost, &Impl::gost_nca},
        {"gost-legal-signright",
         CertSpec{employee("880515300091", "СЕРІКОВА", "АЙГҮЛ", "НҰРЛАНҚЫЗЫ", "050140000656"), y0,
                  y1, false, kSigningKu, "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.2"},
         SignerSpec::kGost, &Impl::gost_nca},
        {"gost-legal-employee",
         CertSpec{employee("880515300091", "СЕРІКОВА", "АЙГҮЛ", "НҰРЛАНҚЫЗЫ", "050140000656"), y0,
                  y1, false, kSigningKu, "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.5"},
         SignerSpec::kGost, &Impl::gost_nca},
    };
    return v;
  }

  // Callers hold `mutex`.
  const Entity& signer(const std::string& name) {
    if (auto it = signers.find(name); it != signers.end()) return it->second;
    for (const auto& spec : specs()) {
      if (name != spec.name) continue;
      Entity& by = this->*spec.by;
      Entity e;
      if (spec.key == SignerSpec::kGost || spec.key == SignerSpec::kGost2004 ||
          spec.key == SignerSpec::kGostWrongKey || spec.key == SignerSpec::kGostUnknownCurve) {
        e.gost = GostKey::generate(spec.key == SignerSpec::kGost2004);
        if (spec.key == SignerSpec::kGostUnknownCurve)
          e.gost->parameters_oid_override = kUnknownCurve;
        if (spec.key == SignerSpec::kGostWrongKey) e.signer = GostKey::generate(false);
        e.cert = issue_gost(spec.cert, *e.gost, by.cert, &*by.gost);
      } else {
        e.key = spec.key == SignerSpec::kEc        ? ec_key()
                : spec.key == SignerSpec::kRsa1024 ? rsa_key(1024)
                                                   : rsa_key(2048);
        e.cert = issue(spec.cert, e.key, by.cert, by.key);
      }
      e.issuer = by.cert;
      return signers[name] = e;
    }
    throw std::runtime_error("test PKI: no signer '" + name + "'");
  }

  // CRLs as fetched after the samples were filed; the stale CA's expired long before.
  void make_crls() {
    if (root_crl) return;
    root_crl = make_crl(root.cert, root.key, "20251205000000Z", "20300101000000Z", {});
    nca_crl = make_crl(nca.cert, nca.key, "20251205000000Z", "20300101000000Z",
                       {{signer("revoked").cert, "20250901000000Z"},
                        {signer("revoked-later").cert, "20251201000000Z"}});
    stale_crl = make_crl(stale_ca.cert, stale_ca.key, "20250101000000Z", "20250201000000Z", {});
    gost_crl = make_gost_crl(gost_nca.cert, *gost_nca.gost, "20251205000000Z", "20300101000000Z",
                             {{signer("gost-revoked").cert, "20250901000000Z"},
                              {signer("gost-revoked-later").cert, "20251201000000Z"}},
                             1, 0);
    gost_delta_crl =
        make_gost_crl(gost_nca.cert, *gost_nca.gost, "20251206000000Z", "20300101000000Z",
                      {{signer("gost-revoked-delta").cert, "20251001000000Z"}}, 2, 1);
    gost_stale_crl = make_gost_crl(gost_stale_ca.cert, *gost_stale_ca.gost, "20250101000000Z",
                                   "20250201000000Z", {}, 1, 0);
  }

  // A detached GOST CMS over `content` (callers hold `mutex`).
  std::string gost_sign(const Entity& e, const std::string& content, const SignOptions& o);

  // An RFC 3161 timestamp token of the GOST TSA over a signature value (its message imprint).
  std::string timestamp_token(const std::string& signature, const std::string& gen_time) {
    const GostKey& k = *gost_tsa.gost;
    const std::string tst =
        der::seq({der::integer(1), der::oid("1.2.398.3.3.2.6"),
                  der::seq({der::algorithm(k.digest_oid()), der::octet(k.hash(signature))}),
                  der::integer(++g_serial), der::generalized_time(gen_time)});
    return gost_signed_data(k, gost_tsa.cert, {gost_tsa.cert}, kOidTstInfo, tst, true,
                            gen_time.substr(2), "");
  }
};

TestPki::TestPki() : impl_(new Impl) {
  Impl& p = *impl_;
  p.root = p.ca("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ ТҮБІР (TEST)", nullptr);
  p.nca = p.ca("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) (TEST)", &p.root);
  p.stale_ca = p.ca("ЕСКІ ТІЗІМ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (TEST)", &p.root);
  p.untrusted_root = p.ca("UNTRUSTED ROOT (TEST)", nullptr);
  p.untrusted_ca = p.ca("UNTRUSTED CA (TEST)", &p.untrusted_root);
  p.gost_root = p.gost_ca("НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) (TEST)", nullptr);
  p.gost_nca = p.gost_ca("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) (TEST)", &p.gost_root);
  p.gost_untrusted_root = p.gost_ca("UNTRUSTED GOST ROOT (TEST)", nullptr);
  p.gost_untrusted_ca = p.gost_ca("UNTRUSTED GOST CA (TEST)", &p.gost_untrusted_root);
  p.gost_stale_ca = p.gost_ca("ЕСКІ ТІЗІМ GOST КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (TEST)", &p.gost_root);
  {
    // A CA under the trusted GOST root whose key names a curve nobody implements.
    CertSpec spec{{{"C", "KZ"}, {"CN", "GOST CA ON AN UNKNOWN CURVE (TEST)"}},
                  "20200101000000Z",
                  "20400101000000Z",
                  true,
                  "critical,keyCertSign,cRLSign",
                  ""};
    p.gost_odd_ca.gost = GostKey::generate(false);
    p.gost_odd_ca.gost->parameters_oid_override = kUnknownCurve;
    p.gost_odd_ca.cert =
        issue_gost(spec, *p.gost_odd_ca.gost, p.gost_root.cert, &*p.gost_root.gost);
    p.gost_odd_ca.issuer = p.gost_root.cert;
  }
  {
    CertSpec tsa{{{"C", "KZ"},
                  {"O", "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ"},
                  {"CN", "TIME-STAMPING AUTHORITY (TEST)"}},
                 "20200101000000Z",
                 "20400101000000Z",
                 false,
                 "critical,digitalSignature,nonRepudiation",
                 "critical,timeStamping"};
    p.gost_tsa.gost = GostKey::generate(false);
    p.gost_tsa.cert = issue_gost(tsa, *p.gost_tsa.gost, p.gost_nca.cert, &*p.gost_nca.gost);
    p.gost_tsa.issuer = p.gost_nca.cert;
  }
}

TestPki::~TestPki() = default;

const TestPki& TestPki::shared() {
  static const TestPki pki;
  return pki;
}

std::vector<std::string> TestPki::signers() const {
  std::vector<std::string> out;
  for (const auto& spec : Impl::specs()) out.push_back(spec.name);
  return out;
}

void TestPki::write(const std::string& dir_text) const {
  const fs::path dir(dir_text);
  Impl& p = *impl_;
  std::lock_guard lock(p.mutex);
  p.make_crls();
  fs::remove_all(dir);
  write_file(dir / "trust" / "root.pem", pem_of(p.root.cert));
  write_file(dir / "intermediates" / "nca-rsa.pem", pem_of(p.nca.cert));
  write_file(dir / "intermediates" / "stale-ca.pem", pem_of(p.stale_ca.cert));
  write_file(dir / "untrusted" / "untrusted-root.pem", pem_of(p.untrusted_root.cert));
  write_file(dir / "untrusted" / "untrusted-ca.pem", pem_of(p.untrusted_ca.cert));
  write_file(dir / "trust" / "gost-root.pem", pem_of(p.gost_root.cert));
  write_file(dir / "intermediates" / "gost-nca.pem", pem_of(p.gost_nca.cert));
  write_file(dir / "untrusted" / "gost-untrusted-root.pem", pem_of(p.gost_untrusted_root.cert));
  write_file(dir / "untrusted" / "gost-untrusted-ca.pem", pem_of(p.gost_untrusted_ca.cert));
  write_file(dir / "crl" / "gost-nca.crl", der_of(p.gost_crl));
  write_file(dir / "crl" / "gost-nca-delta.crl", der_of(p.gost_delta_crl));
  write_file(dir / "intermediates" / "gost-stale-ca.pem", pem_of(p.gost_stale_ca.cert));
  write_file(dir / "crl" / "gost-stale-ca.crl", der_of(p.gost_stale_crl));
  {
    unsigned char* der = nullptr;
    const int n = i2d_X509_CRL(p.root_crl, &der);
    write_file(dir / "crl" / "root.crl", std::string(reinterpret_cast<char*>(der), n));
    OPENSSL_free(der);
  }
  for (auto [crl, name] : {std::pair{p.nca_crl, "nca-rsa.pem"}, {p.stale_crl, "stale-ca.pem"}}) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_CRL(b, crl);
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    write_file(dir / "crl" / name, std::string(data, static_cast<size_t>(n)));
    BIO_free(b);
  }
}

std::string TestPki::sign_gost_with(const std::string& d_le, X509* certificate,
                                    const std::vector<X509*>& chain, const std::string& content,
                                    const SignOptions& o) {
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  ASN1_OBJECT* key_oid = nullptr;
  if (X509_PUBKEY_get0_param(&key_oid, &bits, &bits_len, nullptr,
                             X509_get_X509_PUBKEY(certificate)) != 1)
    fail("certificate key");
  const std::string xy = der::content(
      std::string_view(reinterpret_cast<const char*>(bits), static_cast<size_t>(bits_len)));
  GostKey key;
  key.gost2004 = OBJ_obj2nid(key_oid) == NID_undef && xy.size() == 64;
  const size_t n = xy.size() / 2;
  key.q = "\x04" + std::string(xy.rbegin() + static_cast<long>(n), xy.rend()) +
          std::string(xy.rbegin(), xy.rbegin() + static_cast<long>(n));
  key.d.assign(d_le.rbegin(), d_le.rend());
  std::vector<X509*> certs{certificate};
  certs.insert(certs.end(), chain.begin(), chain.end());
  return encoded(
      gost_signed_data(key, certificate, certs, kOidData, content, false, o.signing_time, ""),
      o.encoding);
}

std::string TestPki::certificate_der(const std::string& signer) const {
  std::lock_guard lock(impl_->mutex);
  const auto& e = impl_->signer(signer);
  unsigned char* der = nullptr;
  const int n = i2d_X509(e.cert, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

std::string TestPki::sign(const std::string& signer, const std::string& content,
                          const SignOptions& o) const {
  std::lock_guard lock(impl_->mutex);
  const auto& e = impl_->signer(signer);
  if (e.gost) return encoded(impl_->gost_sign(e, content, o), o.encoding);
  BIO* data = BIO_new_mem_buf(content.data(), static_cast<int>(content.size()));
  const unsigned flags = CMS_DETACHED | CMS_BINARY;
  CMS_ContentInfo* cms = CMS_sign(nullptr, nullptr, nullptr, nullptr, flags | CMS_PARTIAL);
  if (!cms) fail("CMS_sign");
  CMS_SignerInfo* si = CMS_add1_signer(cms, e.cert, e.key, o.sha1 ? EVP_sha1() : EVP_sha256(),
                                       flags | CMS_PARTIAL | (o.pss ? CMS_KEY_PARAM : 0));
  if (!si) fail("CMS_add1_signer");
  if (o.pss) {
    EVP_PKEY_CTX* pctx = CMS_SignerInfo_get0_pkey_ctx(si);
    if (!pctx || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0)
      fail("RSA-PSS padding");
  }
  ASN1_UTCTIME* t = ASN1_UTCTIME_new();
  ASN1_UTCTIME_set_string(t, o.signing_time.c_str());
  CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, V_ASN1_UTCTIME, t, -1);
  ASN1_UTCTIME_free(t);
  if (o.include_intermediate && e.issuer) CMS_add1_cert(cms, e.issuer);
  if (o.include_untrusted_root) CMS_add1_cert(cms, impl_->untrusted_root.cert);
  if (CMS_final(cms, data, nullptr, flags) != 1) fail("CMS_final");
  BIO_free(data);
  if (o.gost_algorithm_oids) {
    X509_ALGOR* dig = nullptr;
    X509_ALGOR* sig = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, &sig);
    X509_ALGOR_set0(dig, OBJ_txt2obj("1.2.398.3.10.1.3.1", 1), V_ASN1_UNDEF, nullptr);
    X509_ALGOR_set0(sig, OBJ_txt2obj("1.2.398.3.10.1.1.1.2", 1), V_ASN1_UNDEF, nullptr);
  }
  if (o.unknown_algorithm_oids) {  // GOST R 34.10-2012 256-bit with Streebog-256
    X509_ALGOR* dig = nullptr;
    X509_ALGOR* sig = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, &sig);
    X509_ALGOR_set0(dig, OBJ_txt2obj("1.2.643.7.1.1.2.2", 1), V_ASN1_UNDEF, nullptr);
    X509_ALGOR_set0(sig, OBJ_txt2obj("1.2.643.7.1.1.3.2", 1), V_ASN1_UNDEF, nullptr);
  }
  unsigned char* der = nullptr;
  const int n = i2d_CMS_ContentInfo(cms, &der);
  if (n <= 0) fail("i2d_CMS_ContentInfo");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  CMS_ContentInfo_free(cms);
  return encoded(out, o.encoding);
}

std::string TestPki::Impl::gost_sign(const Entity& e, const std::string& content,
                                     const SignOptions& o) {
  const GostKey& key = e.signer ? *e.signer : *e.gost;
  std::vector<X509*> certs{e.cert};
  if (o.include_intermediate && e.issuer) certs.push_back(e.issuer);
  if (o.include_untrusted_root) certs.push_back(gost_untrusted_root.cert);
  std::string cms =
      gost_signed_data(key, e.cert, certs, kOidData, content, false, o.signing_time, "");
  if (o.timestamp.empty()) return cms;
  // The token stamps the signature value: take it from the CMS just made, then make the CMS
  // again with the token (GOST signatures are randomised, so the value must be the same one).
  const auto parts = der::children(der::children(der::children(cms).at(1)).at(0));
  const auto signer_info = der::children(der::children(parts.back()).at(0));
  const std::string signature = der::content(signer_info.at(5));
  const std::string token = timestamp_token(signature, o.timestamp);
  const std::string unsigned_attrs = attribute(kOidTimestampToken, token);
  auto si = signer_info;
  si.push_back(der::tlv(0xA1, unsigned_attrs));
  auto sd = parts;
  sd.back() = der::set_of({der::seq(si)});
  return der::seq({der::oid(kOidSignedData), der::tlv(0xA0, der::seq(sd))});
}

std::string encoded(const std::string& out, SignatureEncoding encoding) {
  auto wrap = [](const std::string& b64, const char* label) {
    std::string pem = std::string("-----BEGIN ") + label + "-----\n";
    for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
    return pem + "-----END " + label + "-----\n";
  };
  switch (encoding) {
    case SignatureEncoding::kDer:
      return out;
    case SignatureEncoding::kPemCms:
      return wrap(base64(out), "CMS");
    case SignatureEncoding::kPemPkcs7:
      return wrap(base64(out), "PKCS7");
    case SignatureEncoding::kBase64:
      return base64(out);
  }
  return out;
}

}  // namespace sot::samples
