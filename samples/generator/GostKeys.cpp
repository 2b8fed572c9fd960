#include "generator/GostKeys.hpp"

#include <gcrypt.h>

#include <mutex>
#include <stdexcept>

#include "generator/Der.hpp"

namespace sot::samples {

namespace {

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
      gcry_check_version(nullptr);
      gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
      gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    }
  });
}

const char* curve_of(bool gost2004) {
  return gost2004 ? "GOST2001-CryptoPro-A" : "GOST2012-512-tc26-A";
}

size_t coordinate_bytes(bool gost2004) {
  return gost2004 ? 32 : 64;
}

std::string reversed(std::string_view s) {
  return std::string(s.rbegin(), s.rend());
}

void check(gcry_error_t e, const char* what) {
  if (e) throw std::runtime_error(std::string("GOST test key: ") + what + ": " + gcry_strerror(e));
}

std::string token_bytes(gcry_sexp_t s, const char* name) {
  gcry_sexp_t t = gcry_sexp_find_token(s, name, 0);
  if (!t) throw std::runtime_error(std::string("GOST test key: no ") + name);
  size_t n = 0;
  const char* p = gcry_sexp_nth_data(t, 1, &n);
  std::string out(p, n);
  gcry_sexp_release(t);
  return out;
}

// An MPI token as exactly `n` big-endian bytes.
std::string token_fixed(gcry_sexp_t s, const char* name, size_t n) {
  gcry_sexp_t t = gcry_sexp_find_token(s, name, 0);
  if (!t) throw std::runtime_error(std::string("GOST test signature: no ") + name);
  gcry_mpi_t m = gcry_sexp_nth_mpi(t, 1, GCRYMPI_FMT_USG);
  gcry_sexp_release(t);
  std::string out(n, '\0');
  size_t written = 0;
  check(
      gcry_mpi_print(GCRYMPI_FMT_USG, reinterpret_cast<unsigned char*>(out.data()), n, &written, m),
      "MPI");
  gcry_mpi_release(m);
  out = std::string(n - written, '\0') + out.substr(0, written);
  return out;
}

}  // namespace

GostKey GostKey::generate(bool gost2004) {
  init();
  gcry_sexp_t params = nullptr;
  check(gcry_sexp_build(&params, nullptr, "(genkey(ecc(curve %s)))", curve_of(gost2004)),
        "parameters");
  gcry_sexp_t key = nullptr;
  check(gcry_pk_genkey(&key, params), "generation");
  gcry_sexp_release(params);
  gcry_sexp_t priv = gcry_sexp_find_token(key, "private-key", 0);
  GostKey k;
  k.gost2004 = gost2004;
  k.q = token_bytes(priv, "q");
  k.d = token_bytes(priv, "d");
  gcry_sexp_release(priv);
  gcry_sexp_release(key);
  if (k.q.size() != 1 + 2 * coordinate_bytes(gost2004) || k.q[0] != '\x04')
    throw std::runtime_error("GOST test key: unexpected point encoding");
  return k;
}

const char* GostKey::key_oid() const {
  return gost2004 ? "1.2.398.3.10.1.1.1.1" : "1.2.398.3.10.1.1.2.2";
}

const char* GostKey::signature_oid() const {
  return gost2004 ? "1.2.398.3.10.1.1.1.2" : "1.2.398.3.10.1.1.2.3.2";
}

const char* GostKey::digest_oid() const {
  return gost2004 ? "1.2.398.3.10.1.3.1" : "1.2.398.3.10.1.3.3";
}

std::string GostKey::parameters_der() const {
  if (!parameters_oid_override.empty())
    return der::seq({der::oid(parameters_oid_override.c_str()), der::oid(digest_oid())});
  return gost2004
             ? der::seq({der::oid("1.2.398.3.10.1.1.1.1.1"), der::oid("1.2.398.3.10.1.3.1.1.0")})
             : der::seq({der::oid("1.2.398.3.10.1.1.2.2.1"), der::oid("1.2.398.3.10.1.3.3")});
}

std::string GostKey::public_key_bits() const {
  const size_t n = coordinate_bytes(gost2004);
  return der::octet(reversed(std::string_view(q).substr(1, n)) +
                    reversed(std::string_view(q).substr(1 + n, n)));
}

std::string GostKey::hash(std::string_view data) const {
  init();
  const int algo = gost2004 ? GCRY_MD_GOSTR3411_94 : GCRY_MD_STRIBOG512;
  std::string out(gcry_md_get_algo_dlen(algo), '\0');
  gcry_md_hash_buffer(algo, out.data(), data.data(), data.size());
  return out;
}

std::string GostKey::sign(std::string_view data) const {
  init();
  const size_t n = coordinate_bytes(gost2004);
  const std::string e = reversed(hash(data));
  gcry_sexp_t skey = nullptr, value = nullptr, sig = nullptr;
  check(gcry_sexp_build(&skey, nullptr, "(private-key(ecc(curve %s)(q %b)(d %b)))",
                        curve_of(gost2004), static_cast<int>(q.size()), q.data(),
                        static_cast<int>(d.size()), d.data()),
        "private key");
  check(gcry_sexp_build(&value, nullptr, "(data(flags gost)(value %b))", static_cast<int>(e.size()),
                        e.data()),
        "digest");
  check(gcry_pk_sign(&sig, value, skey), "signing");
  const std::string r = token_fixed(sig, "r", n);
  const std::string s = token_fixed(sig, "s", n);
  gcry_sexp_release(skey);
  gcry_sexp_release(value);
  gcry_sexp_release(sig);
  return reversed(r) + reversed(s);
}

}  // namespace sot::samples
