// Reading a report without trusting its shape: reports are read back from the spool, so a
// damaged (or, in the fuzz targets, hostile) one must read as empty, never as undefined
// behaviour (nlohmann's const operator[] on a missing key, or an integer index into an object).
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

namespace sot::review {

// j[key], or null when j is not an object or has no such key.
inline const nlohmann::json& field(const nlohmann::json& j, const char* key) {
  static const nlohmann::json null;
  if (!j.is_object()) return null;
  const auto it = j.find(key);
  return it == j.end() ? null : *it;
}

// j[key] when it is an array, else an empty array.
inline const nlohmann::json& list_of(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::array();
  const nlohmann::json& f = field(j, key);
  return f.is_array() ? f : empty;
}

// list[i] when it is an object, else an empty object.
inline const nlohmann::json& object_at(const nlohmann::json& list, std::size_t i) {
  static const nlohmann::json empty = nlohmann::json::object();
  return list.is_array() && i < list.size() && list[i].is_object() ? list[i] : empty;
}

}  // namespace sot::review
