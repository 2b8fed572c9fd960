#include "signature/Gost.hpp"

#include <gcrypt.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "signature/OpenSslPtr.hpp"

namespace sot::signature::gost {

namespace {

void init_gcrypt() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Verification needs no secret memory; the application, not the library, owns threads.
    if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
      gcry_check_version(nullptr);
      gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
      gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    }
  });
}

int gcry_algo(Hash h) {
  switch (h) {
    case Hash::kGost94:
      return GCRY_MD_GOSTR3411_94;  // the test parameter S-box, as KZ GOST 34.311-95
    case Hash::kStreebog256:
      return GCRY_MD_STRIBOG256;
    case Hash::kStreebog512:
      return GCRY_MD_STRIBOG512;
  }
  return GCRY_MD_NONE;
}

struct SexpDeleter {
  void operator()(gcry_sexp_t s) const { gcry_sexp_release(s); }
};
using Sexp = std::unique_ptr<std::remove_pointer_t<gcry_sexp_t>, SexpDeleter>;
using Bn = std::unique_ptr<BIGNUM, OsslDeleter<BN_free>>;
using BnCtx = std::unique_ptr<BN_CTX, OsslDeleter<BN_CTX_free>>;
using EcPoint = std::unique_ptr<EC_POINT, OsslDeleter<EC_POINT_free>>;

BIGNUM* le_number(std::string_view bytes) {
  return BN_lebin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                     static_cast<int>(bytes.size()), nullptr);
}

// A GOST curve as OpenSSL EC group, its parameters (p, a, b, G, n, h) taken from libgcrypt's
// curve table: OpenSSL's arithmetic verifies a 512-bit GOST signature about five times faster
// than libgcrypt's own gcry_pk_verify.
struct Curve {
  std::unique_ptr<EC_GROUP, OsslDeleter<EC_GROUP_free>> owned;
  EC_GROUP* group = nullptr;
  const BIGNUM* order = nullptr;
  size_t bytes = 0;
};

BIGNUM* sexp_number(gcry_sexp_t params, const char* name) {
  Sexp t(gcry_sexp_find_token(params, name, 0));
  if (!t) return nullptr;
  size_t len = 0;
  const char* data = gcry_sexp_nth_data(t.get(), 1, &len);
  if (!data) return nullptr;
  return BN_bin2bn(reinterpret_cast<const unsigned char*>(data), static_cast<int>(len), nullptr);
}

Curve make_curve(const std::string& oid) {
  Curve c;
  Sexp params(gcry_pk_get_param(GCRY_PK_ECC, oid.c_str()));
  if (!params) return c;
  Bn p(sexp_number(params.get(), "p")), a(sexp_number(params.get(), "a")),
      b(sexp_number(params.get(), "b")), n(sexp_number(params.get(), "n")),
      h(sexp_number(params.get(), "h"));
  Sexp g(gcry_sexp_find_token(params.get(), "g", 0));
  size_t g_len = 0;
  const char* g_data = g ? gcry_sexp_nth_data(g.get(), 1, &g_len) : nullptr;
  BnCtx ctx(BN_CTX_new());
  if (!p || !a || !b || !n || !g_data || !ctx) return c;
  EC_GROUP* group = EC_GROUP_new_curve_GFp(p.get(), a.get(), b.get(), ctx.get());
  if (!group) return c;
  EcPoint gen(EC_POINT_new(group));
  if (!gen ||
      EC_POINT_oct2point(group, gen.get(), reinterpret_cast<const unsigned char*>(g_data), g_len,
                         ctx.get()) != 1 ||
      EC_GROUP_set_generator(group, gen.get(), n.get(), h ? h.get() : BN_value_one()) != 1) {
    EC_GROUP_free(group);
    ERR_clear_error();
    return c;
  }
  c.owned.reset(group);
  c.group = group;
  c.order = EC_GROUP_get0_order(group);
  c.bytes = static_cast<size_t>(BN_num_bytes(p.get()));
  return c;
}

// Made once per curve and shared read-only by every thread afterwards.
const Curve* curve_of_oid(const std::string& oid) {
  init_gcrypt();
  static std::mutex mutex;
  static std::map<std::string, Curve> curves;
  std::lock_guard lock(mutex);
  auto it = curves.find(oid);
  if (it == curves.end()) it = curves.emplace(oid, make_curve(oid)).first;
  return it->second.group ? &it->second : nullptr;
}

std::string reversed(std::string_view s) {
  return std::string(s.rbegin(), s.rend());
}

// The curve a key's parameter OID names: NCA's own arcs and the RFC 4357 / RFC 7836 ones.
std::optional<std::string> curve_of(std::string_view params_oid) {
  static const std::pair<const char*, const char*> kCurves[] = {
      {"1.2.398.3.10.1.1.2.2.1", "1.2.643.7.1.2.1.2.1"},  // KZ 2015-512 → TC26 512 paramSetA
      {"1.2.398.3.10.1.1.1.1.1", "1.2.643.2.2.35.1"},     // KZ 2004 → CryptoPro-A
      {"1.2.643.7.1.2.1.2.1", "1.2.643.7.1.2.1.2.1"},     // TC26 512-A
      {"1.2.643.7.1.2.1.2.2", "1.2.643.7.1.2.1.2.2"},     // TC26 512-B
      {"1.2.643.2.2.35.1", "1.2.643.2.2.35.1"},           // CryptoPro-A
      {"1.2.643.2.2.35.2", "1.2.643.2.2.35.2"},           // CryptoPro-B
      {"1.2.643.2.2.35.3", "1.2.643.2.2.35.3"},           // CryptoPro-C
      {"1.2.643.2.2.36.0", "1.2.643.2.2.35.1"},           // CryptoPro-XchA = A
  };
  for (const auto& [oid, curve] : kCurves)
    if (params_oid == oid) return std::string(curve);
  return std::nullopt;
}

// The parameter set OID of a GOST key: the first OID of the parameters SEQUENCE, or the
// parameters themselves when they are an OID.
std::optional<std::string> params_oid(const X509_ALGOR* alg) {
  int ptype = 0;
  const void* pval = nullptr;
  X509_ALGOR_get0(nullptr, &ptype, &pval, alg);
  if (ptype == V_ASN1_OBJECT) return oid_text(static_cast<const ASN1_OBJECT*>(pval));
  if (ptype != V_ASN1_SEQUENCE || !pval) return std::nullopt;
  const auto* seq = static_cast<const ASN1_STRING*>(pval);
  const unsigned char* p = ASN1_STRING_get0_data(seq);
  long len = 0;
  int tag = 0, cls = 0;
  const int ret = ASN1_get_object(&p, &len, &tag, &cls, ASN1_STRING_length(seq));
  if ((ret & 0x80) || tag != V_ASN1_SEQUENCE) return std::nullopt;
  ASN1_OBJECT* first = d2i_ASN1_OBJECT(nullptr, &p, len);
  if (!first) {
    ERR_clear_error();
    return std::nullopt;
  }
  std::string out = oid_text(first);
  ASN1_OBJECT_free(first);
  return out;
}

std::string der_of(X509* cert) {
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert, &der);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

std::string der_of(X509_CRL* crl) {
  unsigned char* der = nullptr;
  const int n = i2d_X509_CRL(crl, &der);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

// Whether two AlgorithmIdentifiers name the same algorithm. NCA's CRLs name it with NULL
// parameters outside and with none inside the signed part: the two mean the same.
bool same_algorithm(const X509_ALGOR* a, const X509_ALGOR* b) {
  if (X509_ALGOR_cmp(a, b) == 0) return true;
  const ASN1_OBJECT* oa = nullptr;
  const ASN1_OBJECT* ob = nullptr;
  int ta = 0, tb = 0;
  X509_ALGOR_get0(&oa, &ta, nullptr, a);
  X509_ALGOR_get0(&ob, &tb, nullptr, b);
  const auto empty = [](int t) { return t == V_ASN1_UNDEF || t == V_ASN1_NULL; };
  return OBJ_cmp(oa, ob) == 0 && empty(ta) && empty(tb);
}

using Status = SignatureCheck::Status;

SignatureCheck verify_signed(std::string_view tbs, const X509_ALGOR* outer, const X509_ALGOR* inner,
                             const ASN1_BIT_STRING* sig, X509* issuer) {
  if (tbs.empty()) return {Status::kInvalid, "the signed part cannot be encoded"};
  if (!outer || !sig) return {Status::kInvalid, "no signature"};
  if (inner && !same_algorithm(outer, inner))
    return {Status::kInvalid, "the signature algorithm differs from the one the signed part names"};
  const ASN1_OBJECT* obj = nullptr;
  X509_ALGOR_get0(&obj, nullptr, nullptr, outer);
  const std::string oid = oid_text(obj);
  const auto hash = hash_of_signature_oid(oid);
  if (!hash)
    return {Status::kUnsupported,
            "signature algorithm " + oid + " is not a GOST algorithm we know"};
  std::string why;
  bool unsupported = false;
  const auto key = public_key(issuer, &why, &unsupported);
  if (!key)
    return {unsupported ? Status::kUnsupported : Status::kInvalid, "the issuer's key: " + why};
  const std::string_view value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(sig)),
                               static_cast<size_t>(ASN1_STRING_length(sig)));
  if (!verify(*key, *hash, tbs, value))
    return {Status::kInvalid, "the GOST signature does not verify"};
  return {Status::kValid, ""};
}

}  // namespace

std::optional<Hash> hash_of_digest_oid(std::string_view oid) {
  if (oid == "1.2.398.3.10.1.3.1" || oid == "1.2.643.2.2.9") return Hash::kGost94;
  if (oid == "1.2.398.3.10.1.3.2" || oid == "1.2.643.7.1.1.2.2") return Hash::kStreebog256;
  if (oid == "1.2.398.3.10.1.3.3" || oid == "1.2.643.7.1.1.2.3") return Hash::kStreebog512;
  return std::nullopt;
}

std::optional<Hash> hash_of_signature_oid(std::string_view oid) {
  if (oid == "1.2.398.3.10.1.1.1.2") return Hash::kGost94;
  if (oid == "1.2.398.3.10.1.1.2.3.1") return Hash::kStreebog256;
  if (oid == "1.2.398.3.10.1.1.2.3.2") return Hash::kStreebog512;
  return std::nullopt;
}

bool is_key_oid(std::string_view oid) {
  return oid == "1.2.398.3.10.1.1.1.1" || oid == "1.2.398.3.10.1.1.2.2";
}

std::string digest(Hash h, std::string_view data) {
  init_gcrypt();
  const int algo = gcry_algo(h);
  std::string out(gcry_md_get_algo_dlen(algo), '\0');
  gcry_md_hash_buffer(algo, out.data(), data.data(), data.size());
  return out;
}

std::optional<PublicKey> public_key(X509* cert, std::string* why, bool* unsupported) {
  bool ignored = false;
  if (!unsupported) unsupported = &ignored;
  *unsupported = false;
  X509_PUBKEY* pub = X509_get_X509_PUBKEY(cert);
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  X509_ALGOR* alg = nullptr;
  ASN1_OBJECT* key_obj = nullptr;
  if (!pub || X509_PUBKEY_get0_param(&key_obj, &bits, &bits_len, &alg, pub) != 1) {
    *why = "no public key";
    return std::nullopt;
  }
  const std::string key_oid = oid_text(key_obj);
  if (!is_key_oid(key_oid)) {
    *unsupported = key_oid.rfind("1.2.643.", 0) == 0;  // a GOST family we do not implement
    *why = "key algorithm " + key_oid + " is not a Kazakh GOST key";
    return std::nullopt;
  }
  const auto params = params_oid(alg);
  const auto curve = params ? curve_of(*params) : std::nullopt;
  if (!curve) {
    *unsupported = true;
    *why = "key parameters " + (params ? *params : std::string("(unreadable)")) +
           " name no curve we know";
    return std::nullopt;
  }
  // The BIT STRING holds a DER OCTET STRING with x ‖ y, each little-endian.
  const unsigned char* p = bits;
  ASN1_OCTET_STRING* os = d2i_ASN1_OCTET_STRING(nullptr, &p, bits_len);
  if (!os) {
    ERR_clear_error();
    *why = "the public key is not an OCTET STRING";
    return std::nullopt;
  }
  const std::string xy(reinterpret_cast<const char*>(ASN1_STRING_get0_data(os)),
                       static_cast<size_t>(ASN1_STRING_length(os)));
  ASN1_OCTET_STRING_free(os);
  const Curve* c = curve_of_oid(*curve);
  if (!c) {
    *unsupported = true;
    *why = "the curve " + *curve + " is not available";
    return std::nullopt;
  }
  const size_t n = c->bytes;
  if (xy.size() != 2 * n) {
    *why = "a public key of " + std::to_string(xy.size()) + " bytes on a curve of " +
           std::to_string(2 * n) + "-byte points";
    return std::nullopt;
  }
  PublicKey k;
  k.curve = *curve;
  k.q = "\x04" + reversed(std::string_view(xy).substr(0, n)) +
        reversed(std::string_view(xy).substr(n));
  return k;
}

bool verify(const PublicKey& key, Hash h, std::string_view data, std::string_view signature) {
  const Curve* c = curve_of_oid(key.curve);
  if (!c) return false;
  const size_t n = c->bytes;
  if (signature.size() != 2 * n || key.q.size() != 1 + 2 * n) return false;
  BnCtx ctx(BN_CTX_new());
  Bn r(le_number(signature.substr(0, n)));
  Bn s(le_number(signature.substr(n)));
  Bn e(le_number(digest(h, data)));  // the digest as a little-endian integer
  Bn v(BN_new()), z1(BN_new()), z2(BN_new()), x(BN_new());
  EcPoint q_point(EC_POINT_new(c->group)), sum(EC_POINT_new(c->group));
  if (!ctx || !r || !s || !e || !v || !z1 || !z2 || !x || !q_point || !sum) return false;
  // 0 < r, s < q
  if (BN_is_zero(r.get()) || BN_is_zero(s.get()) || BN_cmp(r.get(), c->order) >= 0 ||
      BN_cmp(s.get(), c->order) >= 0)
    return false;
  // The public key: a point of the curve (oct2point refuses one that is not), not infinity.
  if (EC_POINT_oct2point(c->group, q_point.get(),
                         reinterpret_cast<const unsigned char*>(key.q.data()), key.q.size(),
                         ctx.get()) != 1 ||
      EC_POINT_is_at_infinity(c->group, q_point.get())) {
    ERR_clear_error();
    return false;
  }
  // e = digest mod q (1 if 0); v = e⁻¹; z1 = s·v, z2 = −r·v (mod q); C = z1·G + z2·Q;
  // valid when C.x mod q = r.
  if (BN_nnmod(e.get(), e.get(), c->order, ctx.get()) != 1) return false;
  if (BN_is_zero(e.get()) && BN_one(e.get()) != 1) return false;
  if (!BN_mod_inverse(v.get(), e.get(), c->order, ctx.get())) return false;
  if (BN_mod_mul(z1.get(), s.get(), v.get(), c->order, ctx.get()) != 1) return false;
  if (BN_sub(z2.get(), c->order, r.get()) != 1 ||
      BN_mod_mul(z2.get(), z2.get(), v.get(), c->order, ctx.get()) != 1)
    return false;
  if (EC_POINT_mul(c->group, sum.get(), z1.get(), q_point.get(), z2.get(), ctx.get()) != 1 ||
      EC_POINT_is_at_infinity(c->group, sum.get()) ||
      EC_POINT_get_affine_coordinates(c->group, sum.get(), x.get(), nullptr, ctx.get()) != 1 ||
      BN_nnmod(x.get(), x.get(), c->order, ctx.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  return BN_cmp(x.get(), r.get()) == 0;
}

bool is_gost_signature(const X509_ALGOR* alg) {
  if (!alg) return false;
  const ASN1_OBJECT* obj = nullptr;
  X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
  return hash_of_signature_oid(oid_text(obj)).has_value();
}

std::string_view first_element(std::string_view der) {
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = start;
  long len = 0;
  int tag = 0, cls = 0;
  int ret = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.size()));
  if ((ret & 0x80) || tag != V_ASN1_SEQUENCE || !(ret & V_ASN1_CONSTRUCTED)) return {};
  const unsigned char* inner = p;
  ret = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.size()) - (p - start));
  if ((ret & 0x80) || !(ret & V_ASN1_CONSTRUCTED)) return {};
  const auto size = static_cast<size_t>((p - inner) + len);
  if (static_cast<size_t>(inner - start) + size > der.size()) return {};
  return der.substr(static_cast<size_t>(inner - start), size);
}

SignatureCheck verify_certificate(X509* cert, X509* issuer) {
  const std::string der = der_of(cert);
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(&sig, &alg, cert);
  return verify_signed(first_element(der), alg, X509_get0_tbs_sigalg(cert), sig, issuer);
}

SignatureCheck verify_crl(X509_CRL* crl, X509* issuer) {
  const std::string der = der_of(crl);
  const std::string_view tbs = first_element(der);
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_CRL_get0_signature(crl, &sig, &alg);
  // TBSCertList: version INTEGER OPTIONAL, then the signature AlgorithmIdentifier.
  const auto* p = reinterpret_cast<const unsigned char*>(tbs.data());
  const auto* end = p + tbs.size();
  long len = 0;
  int tag = 0, cls = 0;
  if (tbs.empty() || (ASN1_get_object(&p, &len, &tag, &cls, end - p) & 0x80))
    return {Status::kInvalid, "the signed part cannot be read"};
  const unsigned char* q = p;
  if (ASN1_get_object(&q, &len, &tag, &cls, end - p) & 0x80)
    return {Status::kInvalid, "the signed part cannot be read"};
  if (tag == V_ASN1_INTEGER && cls == V_ASN1_UNIVERSAL) p = q + len;
  X509_ALGOR* inner = d2i_X509_ALGOR(nullptr, &p, end - p);
  if (!inner) {
    ERR_clear_error();
    return {Status::kInvalid, "the signed part names no signature algorithm"};
  }
  SignatureCheck check = verify_signed(tbs, alg, inner, sig, issuer);
  X509_ALGOR_free(inner);
  return check;
}

}  // namespace sot::signature::gost
