// <kbatch/dynamodb.hpp>, the header-only reader of DynamoDB attribute values: every type, nesting,
// escapes, errors, every truncation of a sample, the AWS documentation's stream records, the peer
// projects' DynamoDB events, random items against nlohmann/json, and the allocations it promises
// not to make. Expected values come from nlohmann/json and the tests' own base64 decoder, never
// from the reader.
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <ranges>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/dynamodb.hpp>
#include <nlohmann/json.hpp>

#include "test_support.h"

// ---- Counting allocations -----------------------------------------------------------------------
// Every allocation of this program goes through these, so a test can count the ones a block of
// reader calls makes (with no Catch2 assertion inside the block: Catch2 allocates). Every form that
// pairs with free() is replaced, the nothrow ones too (Catch2 uses them), so that ASan sees
// matching allocations and frees; the aligned forms stay the runtime's, as a pair.
namespace {
std::atomic<long> g_allocations{0};

void* counted_allocation(std::size_t size) noexcept {
    ++g_allocations;
    return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

void* operator new(std::size_t size) {
    if (void* p = counted_allocation(size))
        return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    if (void* p = counted_allocation(size))
        return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return counted_allocation(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return counted_allocation(size);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}

namespace {

namespace ddb = kbatch::dynamodb;
using ojson = nlohmann::ordered_json;

// ---- The tests' own helpers -------------------------------------------------------------------

std::string base64_encode(std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (bytes.size() - i == 1) {
        const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += "==";
    } else if (bytes.size() - i == 2) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string as_text(std::span<const std::byte> bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Compares what the reader reads with `expected` (the same text parsed by nlohmann), recording
// every difference in `problems` with its path. Also asks each value for a type it is not and
// expects kWrongType.
class Comparer {
  public:
    std::vector<std::string> problems;

    void item(const ojson& expected, const ddb::Item& item, const std::string& path) {
        if (!expected.is_object()) {
            problem(path, "expected JSON is not an object");
            return;
        }
        auto it = expected.begin();
        std::vector<std::string_view> jsons;
        for (const auto& attribute : item) {
            if (!attribute) {
                problem(path, "iteration: " + attribute.error().message());
                return;
            }
            const std::string name = attribute->name.str();
            if (it == expected.end()) {
                problem(path, "extra attribute " + name);
                return;
            }
            if (name != it.key())
                problem(path, "name " + name + " instead of " + it.key());
            if (!(attribute->name == it.key()))
                problem(path, "String::operator== differs from str() for " + it.key());
            value(it.value(), attribute->value, path + "." + it.key());
            jsons.push_back(attribute->value.json());
            ++it;
        }
        if (it != expected.end())
            problem(path, "attribute " + it.key() + " not read");
        const auto size = item.size();
        if (!size || *size != expected.size())
            problem(path, "size() wrong");
        // find() gives the same value as iterating, by decoded name.
        std::size_t index = 0;
        for (auto e = expected.begin(); e != expected.end() && index < jsons.size(); ++e, ++index) {
            const auto found = item.find(e.key());
            if (!found)
                problem(path + "." + e.key(), "find: " + found.error().message());
            else if (found->json() != jsons[index] || found->type() != type_of(e.value()))
                problem(path + "." + e.key(), "find found another value");
        }
        if (item.find("\x01no such name").error().code() != ddb::Errc::kMissing)
            problem(path, "find of an absent name did not say kMissing");
    }

    void value(const ojson& expected, const ddb::AttributeValue& value, const std::string& path) {
        if (!expected.is_object() || expected.size() != 1) {
            problem(path, "expected JSON is not an attribute value");
            return;
        }
        const std::string tag = expected.begin().key();
        const ojson& v = expected.begin().value();
        if (ddb::type_name(value.type()) != tag) {
            problem(path,
                    "type " + std::string(ddb::type_name(value.type())) + " instead of " + tag);
            return;
        }
        wrong_types(value, path);
        switch (value.type()) {
            case ddb::Type::S: {
                const auto s = value.as_string();
                if (!s || s->get(buffer_) != v.get<std::string>() ||
                    s->str() != v.get<std::string>())
                    problem(path, "S differs");
                break;
            }
            case ddb::Type::N: {
                const auto n = value.number_text();
                if (!n || *n != v.get<std::string>())
                    problem(path, "N differs");
                break;
            }
            case ddb::Type::B: {
                const auto b = value.as_binary(buffer_);
                const auto want = kbatch::test::reference_base64_decode(v.get<std::string>());
                if (!b || !want || as_text(*b) != *want)
                    problem(path, "B differs");
                break;
            }
            case ddb::Type::BOOL: {
                const auto b = value.as_bool();
                if (!b || *b != v.get<bool>())
                    problem(path, "BOOL differs");
                break;
            }
            case ddb::Type::NULL_:
                if (!value.is_null() || v != true)
                    problem(path, "NULL differs");
                break;
            case ddb::Type::M: {
                const auto m = value.as_map();
                if (!m)
                    problem(path, m.error().message());
                else
                    item(v, *m, path);
                break;
            }
            case ddb::Type::L:
                elements(v, value.as_list(), std::nullopt, path);
                break;
            case ddb::Type::SS:
                elements(v, value.as_string_set(), ddb::Type::S, path);
                break;
            case ddb::Type::NS:
                elements(v, value.as_number_set(), ddb::Type::N, path);
                break;
            case ddb::Type::BS:
                elements(v, value.as_binary_set(), ddb::Type::B, path);
                break;
        }
    }

  private:
    static ddb::Type type_of(const ojson& attribute_value) {
        const std::string tag = attribute_value.begin().key();
        for (int k = 0; k < 10; ++k) {
            if (ddb::type_name(static_cast<ddb::Type>(k)) == tag)
                return static_cast<ddb::Type>(k);
        }
        return ddb::Type::NULL_;
    }

    void problem(const std::string& path, const std::string& what) {
        problems.push_back(path + ": " + what);
    }

    // An element of a set is read as an attribute value of the element type.
    void elements(const ojson& expected, const ddb::Expected<ddb::Values>& values,
                  std::optional<ddb::Type> element, const std::string& path) {
        if (!values) {
            problem(path, values.error().message());
            return;
        }
        std::size_t index = 0;
        for (const auto& e : *values) {
            const std::string at = path + "[" + std::to_string(index) + "]";
            if (!e) {
                problem(at, e.error().message());
                return;
            }
            if (index >= expected.size()) {
                problem(at, "extra element");
                return;
            }
            if (element)
                value(ojson{{std::string(ddb::type_name(*element)), expected[index]}}, *e, at);
            else
                value(expected[index], *e, at);
            ++index;
        }
        if (index != expected.size())
            problem(path, "elements missing");
        const auto size = values->size();
        if (!size || *size != expected.size())
            problem(path, "size() wrong");
    }

    // Asking for another type gives kWrongType naming both types.
    void wrong_types(const ddb::AttributeValue& value, const std::string& path) {
        const ddb::Type t = value.type();
        std::vector<ddb::Error> errors;
        if (t != ddb::Type::S)
            errors.push_back(value.as_string().error());
        if (t != ddb::Type::N)
            errors.push_back(value.number_text().error());
        if (t != ddb::Type::B)
            errors.push_back(value.as_binary(buffer_).error());
        if (t != ddb::Type::BOOL)
            errors.push_back(value.as_bool().error());
        if (t != ddb::Type::M)
            errors.push_back(value.as_map().error());
        if (t != ddb::Type::L)
            errors.push_back(value.as_list().error());
        if (t != ddb::Type::SS)
            errors.push_back(value.as_string_set().error());
        if (t != ddb::Type::NS)
            errors.push_back(value.as_number_set().error());
        if (t != ddb::Type::BS)
            errors.push_back(value.as_binary_set().error());
        for (const ddb::Error& error : errors) {
            if (error.code() != ddb::Errc::kWrongType || error.found() != t)
                problem(path, "wrong-type access not reported as kWrongType");
        }
    }

    std::string buffer_;
};

// Reads everything in `item` (every value decoded) and says whether all of it read without error.
// Each error's message is built too: describe_path must cope with any text.
bool read_all(const ddb::Item& item, std::string& buffer);

bool read_value(const ddb::AttributeValue& value, std::string& buffer) {
    auto elements = [&](const ddb::Expected<ddb::Values>& values) {
        if (!values)
            return false;
        for (const auto& e : *values) {
            if (!e || !read_value(*e, buffer)) {
                if (!e)
                    (void)e.error().message();
                return false;
            }
        }
        return true;
    };
    switch (value.type()) {
        case ddb::Type::S:
            return value.as_string().has_value() && (value.as_string()->get(buffer), true);
        case ddb::Type::N: {
            const auto n = value.number_text();
            if (!n)
                (void)n.error().message();
            return n.has_value();
        }
        case ddb::Type::B: {
            const auto b = value.as_binary(buffer);
            if (!b)
                (void)b.error().message();
            return b.has_value();
        }
        case ddb::Type::BOOL:
            return value.as_bool().has_value();
        case ddb::Type::NULL_:
            return true;
        case ddb::Type::M:
            return value.as_map() && read_all(*value.as_map(), buffer);
        case ddb::Type::L:
            return elements(value.as_list());
        case ddb::Type::SS:
            return elements(value.as_string_set());
        case ddb::Type::NS:
            return elements(value.as_number_set());
        case ddb::Type::BS:
            return elements(value.as_binary_set());
    }
    return false;
}

bool read_all(const ddb::Item& item, std::string& buffer) {
    for (const auto& attribute : item) {
        if (!attribute) {
            (void)attribute.error().message();
            return false;
        }
        (void)attribute->name.get(buffer);
        if (!read_value(attribute->value, buffer))
            return false;
    }
    return true;
}

// The raw text of every object that follows the key `"<key>":` in `json`: the images of an event
// as they lie in it (found by a bracket walk of the tests' own, aware of strings).
std::vector<std::string_view> raw_objects_after(std::string_view json, std::string_view key) {
    std::vector<std::string_view> found;
    const std::string quoted = "\"" + std::string(key) + "\"";
    for (std::size_t at = json.find(quoted); at != std::string_view::npos;
         at = json.find(quoted, at + 1)) {
        std::size_t i = at + quoted.size();
        while (i < json.size() && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' ||
                                   json[i] == '\r' || json[i] == ':'))
            ++i;
        if (i >= json.size() || json[i] != '{')
            continue;
        const std::size_t begin = i;
        int depth = 0;
        for (; i < json.size(); ++i) {
            if (json[i] == '"') {
                for (++i; i < json.size() && json[i] != '"'; ++i)
                    i += json[i] == '\\' ? 1 : 0;
            } else if (json[i] == '{') {
                ++depth;
            } else if (json[i] == '}' && --depth == 0) {
                break;
            }
        }
        found.push_back(json.substr(begin, i + 1 - begin));
    }
    return found;
}

// A copy of `text` in a buffer of exactly its size, so that ASan sees any read past its end.
struct ExactCopy {
    explicit ExactCopy(std::string_view text)
        : bytes(new char[text.size() == 0 ? 1 : text.size()]), size(text.size()) {
        std::memcpy(bytes.get(), text.data(), text.size());
    }
    std::string_view view() const { return {bytes.get(), size}; }
    std::unique_ptr<char[]> bytes;
    std::size_t size;
};

// Every attribute type, nesting, escapes in names and strings, sets, empty containers.
constexpr std::string_view kSample = R"({
  "Id": {"N": "101"},
  "Message": {"S": "New item!"},
  "Escaped \"name\" \\ \n caf\u00e9 \ud83d\ude00": {"S": "line\nbreak \"quoted\" \\ caf\u00e9 \ud83d\ude00 \/ \t"},
  "Blob": {"B": "AAEqQQ=="},
  "Flag": {"BOOL": false},
  "Nothing": {"NULL": true},
  "Map": {"M": {"Name": {"S": "Joe"}, "Age": {"N": "35"}, "Inner": {"M": {"Deep": {"L": [{"S": "x"}, {"M": {}}]}}}}},
  "List": {"L": [{"S": "Cookies"}, {"N": "3.14159"}, {"L": []}, {"NULL": true}, {"BOOL": true}]},
  "Strings": {"SS": ["Giraffe", "Zebra", "caf\u00e9"]},
  "Numbers": {"NS": ["1234", "-567.8E+3"]},
  "Binaries": {"BS": ["AAEqQQ==", "QSoBAA==", ""]},
  "EmptyMap": {"M": {}},
  "EmptyList": {"L": []},
  "EmptySet": {"SS": []}
})";

// "Using Lambda with DynamoDB" (the Lambda developer guide): the example event's three records.
constexpr std::string_view kAwsDocsEvent = R"({
  "Records": [
    {
      "eventID": "1",
      "eventVersion": "1.0",
      "dynamodb": {
        "Keys": {"Id": {"N": "101"}},
        "NewImage": {"Message": {"S": "New item!"}, "Id": {"N": "101"}},
        "StreamViewType": "NEW_AND_OLD_IMAGES",
        "SequenceNumber": "111",
        "SizeBytes": 26
      },
      "awsRegion": "us-west-2",
      "eventName": "INSERT",
      "eventSourceARN": "arn:aws:dynamodb:us-west-2:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899",
      "eventSource": "aws:dynamodb"
    },
    {
      "eventID": "2",
      "eventVersion": "1.0",
      "dynamodb": {
        "OldImage": {"Message": {"S": "New item!"}, "Id": {"N": "101"}},
        "SequenceNumber": "222",
        "Keys": {"Id": {"N": "101"}},
        "SizeBytes": 59,
        "NewImage": {"Message": {"S": "This item has changed"}, "Id": {"N": "101"}},
        "StreamViewType": "NEW_AND_OLD_IMAGES"
      },
      "awsRegion": "us-west-2",
      "eventName": "MODIFY",
      "eventSourceARN": "arn:aws:dynamodb:us-west-2:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899",
      "eventSource": "aws:dynamodb"
    },
    {
      "eventID": "3",
      "eventVersion": "1.0",
      "dynamodb": {
        "Keys": {"Id": {"N": "101"}},
        "SizeBytes": 38,
        "SequenceNumber": "333",
        "OldImage": {"Message": {"S": "This item has changed"}, "Id": {"N": "101"}},
        "StreamViewType": "NEW_AND_OLD_IMAGES"
      },
      "awsRegion": "us-west-2",
      "eventName": "REMOVE",
      "eventSourceARN": "arn:aws:dynamodb:us-west-2:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899",
      "eventSource": "aws:dynamodb"
    }
  ]
})";

void require_same(std::string_view text) {
    Comparer compare;
    compare.item(ojson::parse(text), ddb::Item(text), "");
    INFO(text);
    for (const std::string& problem : compare.problems)
        FAIL_CHECK(problem);
    CHECK(compare.problems.empty());
}

std::string string_of(const ddb::Expected<ddb::AttributeValue>& value) {
    REQUIRE(value);
    const auto s = value->as_string();
    REQUIRE(s);
    return s->str();
}

// ---- Random items -------------------------------------------------------------------------

class Generator {
  public:
    explicit Generator(unsigned seed) : engine_(seed) {}

    ojson item(int depth) {
        ojson map = ojson::object();
        const int count = pick(0, depth > 3 ? 2 : 6);
        for (int k = 0; k < count; ++k)
            map[text(0, 8) + std::to_string(k)] = value(depth);  // a suffix keeps names unique
        return map;
    }

  private:
    int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(engine_); }

    // UTF-8 text from every class of code point: ASCII (quotes, backslashes, control characters
    // included), two-, three- and four-byte sequences.
    std::string text(int low, int high) {
        std::string out;
        const int length = pick(low, high);
        for (int k = 0; k < length; ++k) {
            unsigned code = 0;
            switch (pick(0, 5)) {
                case 0:
                    code = static_cast<unsigned>(pick(0, 0x1F));
                    break;
                case 1:
                    code = pick(0, 1) ? '"' : '\\';
                    break;
                case 2:
                    code = static_cast<unsigned>(pick(0x80, 0x7FF));
                    break;
                case 3:
                    code = static_cast<unsigned>(pick(0x800, 0xD7FF));
                    break;
                case 4:
                    code = static_cast<unsigned>(pick(0x10000, 0x10FFFF));
                    break;
                default:
                    code = static_cast<unsigned>(pick('a', 'z'));
                    break;
            }
            if (code < 0x80) {
                out += static_cast<char>(code);
            } else if (code < 0x800) {
                out += static_cast<char>(0xC0 | (code >> 6));
                out += static_cast<char>(0x80 | (code & 0x3F));
            } else if (code < 0x10000) {
                out += static_cast<char>(0xE0 | (code >> 12));
                out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (code & 0x3F));
            } else {
                out += static_cast<char>(0xF0 | (code >> 18));
                out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
                out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (code & 0x3F));
            }
        }
        return out;
    }
    std::string number() {
        static const char* const kForms[] = {
            "0", "-1", "3.14159", "1E+3", "-2.5e-7", "12345678901234567890123456789012345678"};
        return kForms[pick(0, 5)];
    }
    std::string binary() {
        return base64_encode(
            kbatch::test::random_bytes(engine_, static_cast<std::size_t>(pick(0, 20))));
    }

    ojson value(int depth) {
        const int type = pick(0, depth >= 5 ? 4 : 9);
        ojson set = ojson::array();
        switch (type) {
            case 0:
                return {{"S", text(0, 12)}};
            case 1:
                return {{"N", number()}};
            case 2:
                return {{"B", binary()}};
            case 3:
                return {{"BOOL", pick(0, 1) == 1}};
            case 4:
                return {{"NULL", true}};
            case 5:
                return {{"M", item(depth + 1)}};
            case 6: {
                ojson list = ojson::array();
                for (int k = pick(0, 4); k > 0; --k)
                    list.push_back(value(depth + 1));
                return {{"L", list}};
            }
            case 7:
                for (int k = pick(0, 4); k > 0; --k)
                    set.push_back(text(0, 6));
                return {{"SS", set}};
            case 8:
                for (int k = pick(0, 4); k > 0; --k)
                    set.push_back(number());
                return {{"NS", set}};
            default:
                for (int k = pick(0, 4); k > 0; --k)
                    set.push_back(binary());
                return {{"BS", set}};
        }
    }

    std::mt19937 engine_;
};

std::string nested_maps(int levels, bool empty = false) {
    std::string text;
    for (int k = 0; k < levels; ++k)
        text += R"({"m":{"M":)";
    text += empty ? "{}" : R"({"leaf":{"S":"here"}})";
    for (int k = 0; k < levels; ++k)
        text += "}}";
    return text;
}

std::string nested_lists(int levels) {
    std::string text = R"({"l":)";
    for (int k = 0; k < levels; ++k)
        text += R"({"L":[)";
    text += R"({"S":"here"})";
    for (int k = 0; k < levels; ++k)
        text += "]}";
    return text + "}";
}

// The ranges are standard input ranges, so <ranges> and <algorithm> work on them.
static_assert(std::ranges::input_range<ddb::Item>);
static_assert(std::ranges::input_range<ddb::Values>);

}  // namespace

// ---- Every type ---------------------------------------------------------------------------

TEST_CASE("every attribute type reads back as written", "[dynamodb]") {
    const ddb::Item item(kSample);
    std::string buffer;

    CHECK(item.find("Id")->type() == ddb::Type::N);
    CHECK(*item.find("Id")->number_text() == "101");
    CHECK(string_of(item.find("Message")) == "New item!");
    CHECK(as_text(*item.find("Blob")->as_binary(buffer)) == std::string("\x00\x01\x2a\x41", 4));
    CHECK(*item.find("Flag")->as_bool() == false);
    CHECK(item.find("Nothing")->is_null());
    CHECK(item.find("Nothing")->type() == ddb::Type::NULL_);
    CHECK(ddb::type_name(ddb::Type::NULL_) == "NULL");
    CHECK(*item.size() == 14);

    const ddb::Item map = *item.find("Map")->as_map();
    CHECK(string_of(map.find("Name")) == "Joe");
    CHECK(*map.find("Age")->number_text() == "35");
    const auto deep = map.find("Inner")->as_map()->find("Deep")->as_list();
    REQUIRE(deep);
    CHECK(*deep->size() == 2);
    auto it = deep->begin();
    CHECK((*it)->as_string()->str() == "x");
    ++it;
    CHECK(*(*it)->as_map()->size() == 0);
    ++it;
    CHECK(it == deep->end());

    // Iterating straight from a temporary, and an iterator kept past the statement that made its
    // range: both stay valid (the asan preset checks).
    auto kept = item.find("List")->as_list()->begin();
    CHECK((*kept)->type() == ddb::Type::S);
    ++kept;
    CHECK((*kept)->type() == ddb::Type::N);
    std::vector<std::string> list;
    for (const auto& e : *item.find("List")->as_list())
        list.emplace_back(ddb::type_name(e->type()));
    CHECK(list == std::vector<std::string>{"S", "N", "L", "NULL", "BOOL"});

    std::vector<std::string> strings;
    for (const auto& e : *item.find("Strings")->as_string_set())
        strings.push_back(e->as_string()->str());
    CHECK(strings == std::vector<std::string>{"Giraffe", "Zebra", "caf\xC3\xA9"});
    std::vector<std::string> numbers;
    for (const auto& e : *item.find("Numbers")->as_number_set())
        numbers.emplace_back(*e->number_text());
    CHECK(numbers == std::vector<std::string>{"1234", "-567.8E+3"});
    std::vector<std::string> binaries;
    for (const auto& e : *item.find("Binaries")->as_binary_set())
        binaries.push_back(as_text(*e->as_binary(buffer)));
    CHECK(binaries == std::vector<std::string>{std::string("\x00\x01\x2a\x41", 4),
                                               std::string("A*\x01\x00", 4), ""});

    CHECK(*item.find("EmptyMap")->as_map()->size() == 0);
    CHECK(*item.find("EmptyList")->as_list()->size() == 0);
    CHECK(*item.find("EmptySet")->as_string_set()->size() == 0);
    CHECK(item.find("EmptyMap")->as_map()->begin() == item.find("EmptyMap")->as_map()->end());
    CHECK(item.find("Map")->json().substr(0, 9) == R"({"Name": )");

    require_same(kSample);
    CHECK(*ddb::Item().size() == 0);
    CHECK(*ddb::Item(" \n\t{ }\n").size() == 0);
}

TEST_CASE("escapes in names and strings are decoded, and names compare decoded", "[dynamodb]") {
    const ddb::Item item(kSample);
    const std::string name = "Escaped \"name\" \\ \n caf\xC3\xA9 \xF0\x9F\x98\x80";
    const auto value = item.find(name);
    REQUIRE(value);
    CHECK(string_of(value) == "line\nbreak \"quoted\" \\ caf\xC3\xA9 \xF0\x9F\x98\x80 / \t");
    CHECK(value->as_string()->has_escapes());
    CHECK(value->as_string()->raw().substr(0, 6) == "line\\n");
    CHECK_FALSE(item.find(name.substr(0, name.size() - 1)));  // a prefix of the decoded name
    CHECK_FALSE(item.find(name + "x"));
    CHECK_FALSE(item.find("Escaped \\\"name"));  // the raw, undecoded form is not the name

    // Every escape JSON has, \u forms of ASCII, and a name that is only escapes.
    const ddb::Item escapes(
        R"({"\u0041\u00e9\u4e2d\ud834\udd1e": {"S": "\b\f\n\r\t\"\\\/\u0000\u001f"}, "\u0049d": {"N": "1"}})");
    CHECK(string_of(escapes.find("A\xC3\xA9\xE4\xB8\xAD\xF0\x9D\x84\x9E")) ==
          std::string("\b\f\n\r\t\"\\/\0\x1f", 10));
    CHECK(*escapes.find("Id")->number_text() == "1");
    require_same(R"({"\u0041": {"S": "\u00e9\ud83d\ude00"}, "\n": {"SS": ["\t", "\u00e9"]}})");

    // A type tag written with an escape is still its type.
    CHECK(ddb::Item(R"({"a": {"\u0053": "x"}})").find("a")->as_string()->str() == "x");
    // An escaped '/' in base64 (some writers escape '/').
    std::string buffer;
    CHECK(as_text(*ddb::Item(R"({"b": {"B": "\/\/\/\/"}})").find("b")->as_binary(buffer)) ==
          "\xFF\xFF\xFF");
}

// ---- Errors -------------------------------------------------------------------------------

TEST_CASE("asking for another type is kWrongType, naming the path and both types", "[dynamodb]") {
    const ddb::Item item(kSample);
    const auto age = item.find("Map")->as_map()->find("Age")->as_string();
    REQUIRE_FALSE(age);
    CHECK(age.error().code() == ddb::Errc::kWrongType);
    CHECK(age.error().expected() == ddb::Type::S);
    CHECK(age.error().found() == ddb::Type::N);
    CHECK(age.error().message() == "Map.Age: expected S, found N");

    auto list = item.find("List")->as_list();
    auto it = list->begin();
    ++it;
    CHECK((*it)->as_bool().error().message() == "List[1]: expected BOOL, found N");
    auto set = item.find("Numbers")->as_number_set();
    auto element = set->begin();
    ++element;
    CHECK((*element)->as_string().error().message() == "Numbers[1]: expected S, found N");
    CHECK(item.find("Message")->as_map().error().message() == "Message: expected M, found S");

    const auto missing = item.find("Map")->as_map()->find("Height");
    CHECK(missing.error().code() == ddb::Errc::kMissing);
    CHECK(missing.error().message() == "Map.Height: missing");
    CHECK(item.find("Nope").error().message() == "Nope: missing");
    CHECK(item.find("Nope")->type() == ddb::Type::NULL_);  // an error's value is an empty view
    CHECK(item.find("Nope").value_or(*item.find("Id")).type() == ddb::Type::N);

    // value() throws FormatError, whose what() is the message: uncaught in process(), it fails
    // the record with that reason.
    try {
        (void)item.find("Id")->as_string().value();
        FAIL("no exception");
    } catch (const ddb::FormatError& e) {
        CHECK(std::string(e.what()) == "Id: expected S, found N");
        CHECK(e.error().code() == ddb::Errc::kWrongType);
    }
}

TEST_CASE("malformed text is kMalformed, with the path and the offset", "[dynamodb]") {
    struct Case {
        std::string_view text;
        std::string_view message;
    };
    const Case cases[] = {
        {"", "item: malformed JSON at byte 0: expected '{'"},
        {"[]", "item: malformed JSON at byte 0: expected '{'"},
        {R"({"a": {"Q": "x"}})", "a: malformed JSON at byte 7: unknown attribute value type"},
        {R"({"a": {"S": "x", "N": "1"}})",
         "a: malformed JSON at byte 15: an attribute value has exactly one type"},
        {R"({"a" {"S": "x"}})", "a: malformed JSON at byte 5: expected ':'"},
        {R"({"a": {"S": 1}})", "a: malformed JSON at byte 12: expected a string"},
        {R"({"a": {"S": "\x"}})", "a: malformed JSON at byte 13: invalid escape in a string"},
        {R"({"a": {"S": "\u12"}})", "a: malformed JSON at byte 13: invalid \\u escape in a string"},
        {R"({"a": {"S": "\ud800"}})",
         "a: malformed JSON at byte 13: unpaired high surrogate in a string"},
        {R"({"a": {"S": "\ud800\u0041"}})",
         "a: malformed JSON at byte 13: unpaired high surrogate in a string"},
        {R"({"a": {"S": "\udc00"}})",
         "a: malformed JSON at byte 13: unpaired low surrogate in a string"},
        {"{\"a\": {\"S\": \"\x01\"}}",
         "a: malformed JSON at byte 13: control character in a string"},
        {R"({"a": {"BOOL": 1}})", "a: malformed JSON at byte 15: expected true or false"},
        {R"({"a": {"BOOL": truex}})", "a: malformed JSON at byte 19: expected true or false"},
        {R"({"a": {"M": []}})", "a: malformed JSON at byte 12: expected '{' (an M is an object)"},
        {R"({"a": {"L": {}}})",
         "a: malformed JSON at byte 12: expected '[' (an L or set is an array)"},
        {R"({"a": {"L": [}]}})", "a[0]: malformed JSON at byte 13: mismatched bracket"},
        {R"({"a": {"N": "1"} "b": {"N": "2"}})",
         "a: malformed JSON at byte 17: expected ',' or '}'"},
        {R"({"a": {"N": "1"},})", "item: malformed JSON at byte 17: expected an attribute name"},
        {R"({"a": {"N": "1"})", "a: malformed JSON at byte 16: expected ',' or '}'"},
        {R"({"a": "x"})",
         "a: malformed JSON at byte 6: expected an attribute value {\"<type>\": ...}"},
        {R"({"a": {"M": {"b": {"L": [{"S": "x"} {"S": "y"}]}}}})",
         "a.b[0]: malformed JSON at byte 36: expected ',' or ']'"},
        {R"({"a": {"SS": ["x", 1]}})",
         "a[1]: malformed JSON at byte 19: expected a string (a set element)"},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        std::string buffer;
        bool ok = true;
        std::string message;
        const ddb::Item item(c.text);
        for (const auto& attribute : item) {
            if (!attribute) {
                ok = false;
                message = attribute.error().message();
                CHECK(attribute.error().code() == ddb::Errc::kMalformed);
                break;
            }
            auto inner = attribute->value.as_map();
            if (inner) {
                auto b = inner->find("b");
                REQUIRE(b);
                for (const auto& e : *b->as_list()) {
                    if (!e) {
                        ok = false;
                        message = e.error().message();
                        break;
                    }
                }
            }
            auto set = attribute->value.as_string_set();
            if (set) {
                for (const auto& e : *set) {
                    if (!e) {
                        ok = false;
                        message = e.error().message();
                        break;
                    }
                }
            }
        }
        CHECK_FALSE(ok);
        CHECK(message == c.message);
    }

    // A number that is not one, and base64 that is not base64.
    std::string buffer;
    const auto n = ddb::Item(R"({"n": {"N": "12a"}})").find("n")->number_text();
    CHECK(n.error().message() == "n: malformed JSON at byte 12: an N is not a number");
    CHECK(ddb::Item(R"({"n": {"N": ""}})").find("n")->number_text().error().code() ==
          ddb::Errc::kMalformed);
    for (std::string_view bad : {"AAE", "AA=A", "A===", "AA*A", "AAEqQQ==AAAA", "=AAA"}) {
        const std::string text = R"({"b": {"BS": ["AAAA", ")" + std::string(bad) + R"("]}})";
        auto set = *ddb::Item(text).find("b")->as_binary_set();
        auto it = set.begin();
        CHECK((*it)->as_binary(buffer));
        ++it;
        const auto b = (*it)->as_binary(buffer);
        INFO(bad);
        CHECK(b.error().code() == ddb::Errc::kBadBase64);
        CHECK(b.error().message() == "b[1]: not valid base64 (at byte 22)");
    }
}

TEST_CASE("M and L nest up to kMaxDepth, and deeper is kTooDeep", "[dynamodb]") {
    std::string buffer;
    for (const bool lists : {false, true}) {
        const std::string ok = lists ? nested_lists(ddb::kMaxDepth) : nested_maps(ddb::kMaxDepth);
        CHECK(read_all(ddb::Item(ok), buffer));
        const std::string deep =
            lists ? nested_lists(ddb::kMaxDepth + 1) : nested_maps(ddb::kMaxDepth + 1);
        const ddb::Item item(deep);
        const auto first = item.begin();
        REQUIRE_FALSE(*first);
        CHECK(first->error().code() == ddb::Errc::kTooDeep);
        CHECK(first->error().message().find("nested more than 64 deep") != std::string::npos);
    }
    // An empty map one level too deep is found when read down to.
    CHECK_FALSE(read_all(ddb::Item(nested_maps(ddb::kMaxDepth + 1, true)), buffer));
    CHECK(read_all(ddb::Item(nested_maps(ddb::kMaxDepth, true)), buffer));
    // Far deeper than the limit, and only brackets: refused without recursion.
    const std::string brackets =
        R"({"a": {"L": )" + std::string(100000, '[') + std::string(100000, ']') + "}}";
    CHECK(ddb::Item(brackets).find("a").error().code() == ddb::Errc::kTooDeep);
}

TEST_CASE("every truncation of a sample reads as an error, never past its end", "[dynamodb]") {
    // Run under the asan preset: each prefix lies in a buffer of exactly its size.
    std::string buffer;
    REQUIRE(read_all(ddb::Item(kSample), buffer));
    const std::size_t last_brace = kSample.rfind('}');
    for (std::size_t size = 0; size < kSample.size(); ++size) {
        const ExactCopy prefix(kSample.substr(0, size));
        const bool read = read_all(ddb::Item(prefix.view()), buffer);
        if (size <= last_brace && read)
            FAIL_CHECK("the prefix of " << size << " bytes read without error");
    }
    // Every byte changed in turn, to a few values: any outcome but a crash or an overread.
    std::mt19937 engine(13);
    std::string changed(kSample);
    for (std::size_t at = 0; at < changed.size(); ++at) {
        for (const char c : {'"', '\\', '{', ']', '\0', 'u', ','}) {
            const char before = changed[at];
            changed[at] = c;
            const ExactCopy copy(changed);
            (void)read_all(ddb::Item(copy.view()), buffer);
            changed[at] = before;
        }
    }
}

// ---- Real records ---------------------------------------------------------------------------

TEST_CASE("the AWS documentation's sample stream records", "[dynamodb]") {
    const auto keys = raw_objects_after(kAwsDocsEvent, "Keys");
    const auto new_images = raw_objects_after(kAwsDocsEvent, "NewImage");
    const auto old_images = raw_objects_after(kAwsDocsEvent, "OldImage");
    REQUIRE(keys.size() == 3);
    REQUIRE(new_images.size() == 2);
    REQUIRE(old_images.size() == 2);
    for (std::string_view key : keys)
        CHECK(*ddb::Item(key).find("Id")->number_text() == "101");
    CHECK(string_of(ddb::Item(new_images[0]).find("Message")) == "New item!");
    CHECK(string_of(ddb::Item(old_images[0]).find("Message")) == "New item!");
    CHECK(string_of(ddb::Item(new_images[1]).find("Message")) == "This item has changed");
    CHECK(string_of(ddb::Item(old_images[1]).find("Message")) == "This item has changed");
    for (const auto& images : {keys, new_images, old_images})
        for (std::string_view image : images)
            require_same(image);
}

TEST_CASE("every DynamoDB peer event's Keys, NewImage and OldImage read fully", "[dynamodb]") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    const char* const files[] = {
        "aws-lambda-dotnet/dynamodb-with-ms-event.json",  // a byte-order mark; empty L; nested M
        "aws-lambda-go/dynamodb-event.json",              // every type; an empty SS
        "aws-lambda-java-libs/dynamo_event.json",         // INSERT, MODIFY, REMOVE
        "aws-lambda-rust-runtime/example-dynamodb-event-record-with-optional-fields.json",
    };
    for (const char* file : files) {
        INFO(file);
        const std::string bytes = kbatch::test::read_file(kbatch::test::fixtures_dir() / file);
        std::string_view text = bytes;
        if (text.substr(0, 3) == "\xEF\xBB\xBF")
            text.remove_prefix(3);
        // How many images nlohmann finds, to be sure the raw walk found each one.
        const ojson event = ojson::parse(text);
        const ojson records = event.contains("Records") ? event["Records"] : ojson::array({event});
        std::size_t expected_images = 0;
        for (const ojson& record : records)
            for (const char* key : {"Keys", "NewImage", "OldImage"})
                expected_images += record["dynamodb"].contains(key) ? 1 : 0;
        std::size_t images = 0;
        for (const char* key : {"Keys", "NewImage", "OldImage"}) {
            for (std::string_view image : raw_objects_after(text, key)) {
                require_same(image);
                ++images;
            }
        }
        CHECK(images == expected_images);
        CHECK(images > 0);
    }
}

// ---- Against nlohmann/json ------------------------------------------------------------------

TEST_CASE("random nested items read back as nlohmann/json wrote them", "[dynamodb]") {
    for (unsigned seed = 1; seed <= 1000; ++seed) {
        Generator generate(seed);
        const ojson item = generate.item(0);
        // Compact; indented; with tabs; all non-ASCII as \u escapes (surrogate pairs included).
        const std::string texts[] = {item.dump(), item.dump(2), item.dump(1, '\t'),
                                     item.dump(-1, ' ', true)};
        for (const std::string& text : texts) {
            Comparer compare;
            compare.item(item, ddb::Item(text), "");
            if (!compare.problems.empty()) {
                INFO("seed " << seed << ": " << text);
                FAIL_CHECK(compare.problems.front());
            }
        }
    }
}

// ---- Allocations --------------------------------------------------------------------------

TEST_CASE("reading allocates nothing but what the caller asks for", "[dynamodb]") {
    const ddb::Item item(kSample);
    std::string buffer;
    buffer.reserve(256);
    const std::string escaped_name = "Escaped \"name\" \\ \n caf\xC3\xA9 \xF0\x9F\x98\x80";

    std::size_t checksum = 0;  // so nothing is optimised away
    const long before = g_allocations.load();
    // Lookups by plain and by escaped names; S without escapes, N, BOOL, NULL.
    checksum += item.find("Message")->as_string()->get(buffer).size();
    checksum += item.find("Id")->number_text()->size();
    checksum += *item.find("Flag")->as_bool() ? 1 : 2;
    checksum += item.find("Nothing")->is_null() ? 1 : 2;
    checksum += item.find(escaped_name).has_value() ? 1 : 2;
    // Walking M, L and the sets.
    for (const auto& attribute : item) {
        checksum += attribute->name.raw().size();
        if (auto map = attribute->value.as_map())
            for (const auto& inner : *map)
                checksum += inner->name.raw().size();
        if (auto list = attribute->value.as_list())
            for (const auto& e : *list)
                checksum += static_cast<std::size_t>(e->type());
        if (auto set = attribute->value.as_number_set())
            for (const auto& e : *set)
                checksum += e->number_text()->size();
        if (auto set = attribute->value.as_string_set())
            for (const auto& e : *set)
                checksum += e->as_string()->raw().size();
    }
    checksum += item.find("Map")
                    ->as_map()
                    ->find("Inner")
                    ->as_map()
                    ->find("Deep")
                    ->as_list()
                    ->size()
                    .value_or(0);
    // Errors, until their message is asked for.
    checksum += item.find("Id")->as_string().error().offset();
    checksum += item.find("No such name").error().offset();
    const long plain = g_allocations.load() - before;

    // With a buffer large enough, escaped S and B decode into it without allocating.
    const long before_buffered = g_allocations.load();
    checksum += item.find(escaped_name)->as_string()->get(buffer).size();
    checksum += item.find("Blob")->as_binary(buffer)->size();
    for (const auto& e : *item.find("Binaries")->as_binary_set())
        checksum += e->as_binary(buffer)->size();
    const long buffered = g_allocations.load() - before_buffered;

    // The message allocates (the only thing here that does, with String::str).
    const long before_message = g_allocations.load();
    checksum += item.find("Id")->as_string().error().message().size();
    const long message = g_allocations.load() - before_message;

    CHECK(checksum > 0);
    CHECK(plain == 0);
    CHECK(buffered == 0);
    CHECK(message > 0);
    WARN("allocations: reading without escapes " << plain << ", escaped S and B into a reserved "
                                                 << "buffer " << buffered << ", one message "
                                                 << message);
}
