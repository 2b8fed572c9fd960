#include "generator/TestPki.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>

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

X509* issue(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
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
  X509_set_pubkey(cert, key);
  X509* iss = issuer ? issuer : cert;
  add_ext(cert, iss, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_ext(cert, iss, NID_subject_key_identifier, "hash");
  add_ext(cert, iss, NID_authority_key_identifier, "keyid:always");
  if (!spec.key_usage.empty()) add_ext(cert, iss, NID_key_usage, spec.key_usage);
  if (!spec.eku.empty()) add_ext(cert, iss, NID_ext_key_usage, spec.eku);
  if (!X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256())) fail("certificate signing");
  return cert;
}

struct Revocation {
  X509* cert;
  const char* when;
};

X509_CRL* make_crl(X509* issuer, EVP_PKEY* key, const char* this_update, const char* next_update,
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

std::vector<NameEntry> person(const std::string& iin, const std::string& surname,
                              const std::string& given) {
  return {{"C", "KZ"},
          {"CN", surname + " " + given},
          {"SN", surname},
          {"GN", given},
          {"serialNumber", "IIN" + iin}};
}

std::vector<NameEntry> employee(const std::string& iin, const std::string& surname,
                                const std::string& given, const std::string& bin) {
  auto n = person(iin, surname, given);
  n.push_back({"O", "ЖШС «Мысал»"});
  n.push_back({"OU", "BIN" + bin});
  return n;
}

constexpr const char* kSigningKu = "critical,digitalSignature,nonRepudiation";
constexpr const char* kIndividualEku = "emailProtection,1.2.398.3.3.4.1.1";

}  // namespace

struct TestPki::Impl {
  struct Entity {
    X509* cert = nullptr;
    EVP_PKEY* key = nullptr;
    X509* issuer = nullptr;  // the CA certificate that issued it
  };
  Entity root, nca, stale_ca, untrusted_root, untrusted_ca;
  std::mutex mutex;  // signers and CRLs are made on first use
  std::map<std::string, Entity> signers;
  X509_CRL* root_crl = nullptr;
  X509_CRL* nca_crl = nullptr;
  X509_CRL* stale_crl = nullptr;

  ~Impl() {
    for (Entity* e : {&root, &nca, &stale_ca, &untrusted_root, &untrusted_ca}) {
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

  struct SignerSpec {
    const char* name;
    CertSpec cert;
    enum { kRsa2048, kRsa1024, kEc } key;
    Entity Impl::*by;
  };

  static const std::vector<SignerSpec>& specs() {
    const auto individual = [](const char* nb, const char* na) {
      return CertSpec{
          person("900101300126", "АХМЕТОВ", "АРМАН"), nb, na, false, kSigningKu, kIndividualEku};
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
         CertSpec{person("900101300126", "АХМЕТОВ", "АРМАН"), y0, y1, false,
                  "critical,digitalSignature,keyEncipherment", "clientAuth,1.2.398.3.3.4.1.1"},
         SignerSpec::kEc, &Impl::nca},
        {"digital-signature-only",
         CertSpec{person("900101300126", "АХМЕТОВ", "АРМАН"), y0, y1, false,
                  "critical,digitalSignature", ""},
         SignerSpec::kEc, &Impl::nca},
        {"no-usage-extensions",
         CertSpec{person("900101300126", "АХМЕТОВ", "АРМАН"), y0, y1, false, "", ""},
         SignerSpec::kEc, &Impl::nca},
        {"other-person",
         CertSpec{person("880515300091", "СЕРІКОВА", "АЙГҮЛ"), y0, y1, false, kSigningKu,
                  kIndividualEku},
         SignerSpec::kEc, &Impl::nca},
        {"legal-head",
         CertSpec{employee("880515300091", "СЕРІКОВА", "АЙГҮЛ", "050140000656"), y0, y1, false,
                  kSigningKu, "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1"},
         SignerSpec::kRsa2048, &Impl::nca},
        {"legal-employee",
         CertSpec{employee("880515300091", "СЕРІКОВА", "АЙГҮЛ", "050140000656"), y0, y1, false,
                  kSigningKu, "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.5"},
         SignerSpec::kEc, &Impl::nca},
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
      e.key = spec.key == SignerSpec::kEc        ? ec_key()
              : spec.key == SignerSpec::kRsa1024 ? rsa_key(1024)
                                                 : rsa_key(2048);
      e.cert = issue(spec.cert, e.key, by.cert, by.key);
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
  }
};

TestPki::TestPki() : impl_(new Impl) {
  Impl& p = *impl_;
  p.root = p.ca("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ ТҮБІР (TEST)", nullptr);
  p.nca = p.ca("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) (TEST)", &p.root);
  p.stale_ca = p.ca("ЕСКІ ТІЗІМ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (TEST)", &p.root);
  p.untrusted_root = p.ca("UNTRUSTED ROOT (TEST)", nullptr);
  p.untrusted_ca = p.ca("UNTRUSTED CA (TEST)", &p.untrusted_root);
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
  unsigned char* der = nullptr;
  const int n = i2d_CMS_ContentInfo(cms, &der);
  if (n <= 0) fail("i2d_CMS_ContentInfo");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  CMS_ContentInfo_free(cms);

  auto wrap = [](const std::string& b64, const char* label) {
    std::string pem = std::string("-----BEGIN ") + label + "-----\n";
    for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
    return pem + "-----END " + label + "-----\n";
  };
  switch (o.encoding) {
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
