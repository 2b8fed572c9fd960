#include "outcome/Signer.hpp"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sot::outcome {

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr mem_bio(const std::string& s) {
  return BioPtr(BIO_new_mem_buf(s.data(), static_cast<int>(s.size())));
}

std::vector<X509*> read_certs(const std::string& pem) {
  std::vector<X509*> out;
  BioPtr bio = mem_bio(pem);
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.push_back(c);
  ERR_clear_error();
  return out;
}

}  // namespace

struct OutcomeSigner::Impl {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509) * chain = nullptr;
  ~Impl() {
    EVP_PKEY_free(key);
    X509_free(cert);
    sk_X509_pop_free(chain, X509_free);
  }
};

OutcomeSigner::~OutcomeSigner() = default;

std::shared_ptr<const OutcomeSigner> OutcomeSigner::load(const fs::path& key,
                                                         const fs::path& cert) {
  std::shared_ptr<OutcomeSigner> s(new OutcomeSigner());
  s->impl_ = std::make_unique<Impl>();
  {
    const std::string pem = slurp(key);
    BioPtr bio = mem_bio(pem);
    s->impl_->key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (!s->impl_->key)
      throw std::runtime_error(key.string() + ": not a PEM private key (" + openssl_error() + ")");
  }
  auto certs = read_certs(slurp(cert));
  if (certs.empty()) throw std::runtime_error(cert.string() + ": no PEM certificate");
  s->impl_->cert = certs.front();
  s->impl_->chain = sk_X509_new_null();
  for (std::size_t i = 1; i < certs.size(); ++i) sk_X509_push(s->impl_->chain, certs[i]);
  if (X509_check_private_key(s->impl_->cert, s->impl_->key) != 1)
    throw std::runtime_error(key.string() + ": not the key of the certificate in " + cert.string());
  return s;
}

std::string OutcomeSigner::sign(const std::string& data) const {
  BioPtr in = mem_bio(data);
  CMS_ContentInfo* cms =
      CMS_sign(impl_->cert, impl_->key, impl_->chain, in.get(), CMS_DETACHED | CMS_BINARY);
  if (!cms) throw std::runtime_error("signing the outcome failed: " + openssl_error());
  BioPtr out(BIO_new(BIO_s_mem()));
  const int ok = i2d_CMS_bio(out.get(), cms);
  CMS_ContentInfo_free(cms);
  if (ok != 1) throw std::runtime_error("encoding the signature failed: " + openssl_error());
  char* p = nullptr;
  const long n = BIO_get_mem_data(out.get(), &p);
  return std::string(p, static_cast<std::size_t>(n));
}

std::string OutcomeSigner::subject() const {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(impl_->cert), buf, sizeof buf);
  return buf;
}

std::vector<SignatureCheck> verify_outcome_signatures(const fs::path& result_dir,
                                                      const fs::path& trust) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  // The court's certificate need not carry an e-mail protection usage.
  X509_STORE_set_purpose(store.get(), X509_PURPOSE_ANY);
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(trust, ec)) {
    for (const auto& e : fs::directory_iterator(trust, ec))
      if (e.is_regular_file(ec)) files.push_back(e.path());
  } else {
    files.push_back(trust);
  }
  for (const auto& f : files) {
    std::string pem;
    try {
      pem = slurp(f);
    } catch (const std::exception&) {
      continue;
    }
    for (X509* c : read_certs(pem)) {
      X509_STORE_add_cert(store.get(), c);
      X509_free(c);
    }
  }
  std::vector<SignatureCheck> out;
  for (const char* name : {"receipt.json", "receipt.pdf", "notice.json", "notice.pdf"}) {
    const fs::path doc = result_dir / name;
    if (!fs::is_regular_file(doc, ec)) continue;
    SignatureCheck check{name, false, ""};
    const fs::path sig = result_dir / (std::string(name) + ".p7s");
    if (!fs::is_regular_file(sig, ec)) {
      check.detail = "no signature (" + sig.filename().string() + ")";
      out.push_back(check);
      continue;
    }
    const std::string data = slurp(doc), der = slurp(sig);
    BioPtr sig_bio = mem_bio(der);
    CMS_ContentInfo* cms = d2i_CMS_bio(sig_bio.get(), nullptr);
    if (!cms) {
      check.detail = "not a CMS signature: " + openssl_error();
      out.push_back(check);
      continue;
    }
    BioPtr data_bio = mem_bio(data);
    if (CMS_verify(cms, nullptr, store.get(), data_bio.get(), nullptr, CMS_BINARY) == 1) {
      check.ok = true;
      STACK_OF(X509)* signers = CMS_get0_signers(cms);
      if (signers && sk_X509_num(signers) > 0) {
        char buf[512];
        X509_NAME_oneline(X509_get_subject_name(sk_X509_value(signers, 0)), buf, sizeof buf);
        check.detail = buf;
      }
      sk_X509_free(signers);
    } else {
      check.detail = "does not verify: " + openssl_error();
    }
    CMS_ContentInfo_free(cms);
    out.push_back(check);
  }
  return out;
}

}  // namespace sot::outcome
