// unique_ptr aliases for the OpenSSL objects the signature stage owns.
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>

namespace sot::signature {

template <auto Free>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OsslDeleter<X509_CRL_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OsslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslDeleter<X509_STORE_CTX_free>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, OsslDeleter<CMS_ContentInfo_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<BIO_free_all>>;

struct X509StackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

// The last OpenSSL error as text ("" when none), clearing the queue.
std::string openssl_error();

// "2025-10-16T10:46:00Z" for an ASN1_TIME, "" if it cannot be read.
std::string asn1_time_text(const ASN1_TIME* t);

// An ASN1_TIME as seconds since the epoch; false if it cannot be read.
bool asn1_time_seconds(const ASN1_TIME* t, long long* out);

// Dotted OID text of an object ("1.2.840.113549.1.1.11").
std::string oid_text(const ASN1_OBJECT* o);

// A name as RFC 2253 text with UTF-8 kept ("CN=Ахметов Арман,C=KZ").
std::string name_text(const X509_NAME* n);

}  // namespace sot::signature
