#include "gitopsd/core/json.hpp"

#include "gitopsd/core/errc.hpp"
#include "json_zero_exponent.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <optional>
#include <string>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gitopsd::json {

const rapidjson::Value* find(const rapidjson::Value& value, std::string_view key) {
  if (!value.IsObject()) return nullptr;
  auto it = value.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
  return it == value.MemberEnd() ? nullptr : &it->value;
}

rapidjson::Value& ensure_object(rapidjson::Value& object, std::string_view key, rapidjson::Document::AllocatorType& a) {
  auto it = object.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
  if (it != object.MemberEnd()) {
    if (!it->value.IsObject()) it->value.SetObject();
    return it->value;
  }
  object.AddMember(rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size()), a),
                   rapidjson::Value(rapidjson::kObjectType), a);
  return (object.MemberEnd() - 1)->value;
}

void set_string(rapidjson::Value& object, std::string_view key, std::string_view value,
                rapidjson::Document::AllocatorType& a) {
  rapidjson::Value v(value.data(), static_cast<rapidjson::SizeType>(value.size()), a);
  auto it = object.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
  if (it != object.MemberEnd()) {
    it->value = v;
    return;
  }
  object.AddMember(rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size()), a), v, a);
}

extent measure(const rapidjson::Value& value) {
  extent out;
  std::vector<std::pair<const rapidjson::Value*, std::size_t>> todo{{&value, 0}};
  while (!todo.empty()) {
    auto [v, depth] = todo.back();
    todo.pop_back();
    ++out.values;
    out.depth = std::max(out.depth, depth);
    if (v->IsObject()) {
      out.bytes += 2;
      for (const auto& m : v->GetObject()) {
        out.bytes += m.name.GetStringLength() + 4;
        todo.emplace_back(&m.value, depth + 1);
      }
    } else if (v->IsArray()) {
      out.bytes += 2;
      for (const auto& item : v->GetArray()) {
        out.bytes += 1;
        todo.emplace_back(&item, depth + 1);
      }
    } else if (v->IsString()) {
      out.bytes += v->GetStringLength() + 2;
    } else {
      out.bytes += v->IsNumber() ? 8 : 5;
    }
  }
  return out;
}

result<rapidjson::Document> parse(std::string_view text) {
  // Zeros RapidJSON would normalise with clz(0) are rewritten first (see json_zero_exponent.hpp).
  std::optional<std::string> zeroed = detail::zero_exponents_as_zero(text);
  if (zeroed) zeroed->append(text.substr(std::min(zeroed->size(), text.size())));
  std::string_view source = zeroed ? std::string_view(*zeroed) : text;
  rapidjson::Document doc;
  // Iterative: the recursive parser needs one stack frame per nesting level of the input.
  doc.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseIterativeFlag>(source.data(), source.size());
  if (doc.HasParseError())
    return make_error(core::errc::invalid_json, fmt::format("invalid JSON at offset {}: {}", doc.GetErrorOffset(),
                                                            rapidjson::GetParseError_En(doc.GetParseError())));
  return doc;
}

std::string serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

std::string serialize_pretty(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace gitopsd::json
