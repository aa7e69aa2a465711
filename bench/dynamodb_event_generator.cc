// The DynamoDB Streams shape: a table of orders whose stream has StreamViewType
// NEW_AND_OLD_IMAGES, every record in the order and form Lambda writes it (the AWS guide's example
// event and the peer fixtures: eventID, eventName, eventVersion, eventSource, awsRegion,
// userIdentity for TTL deletes, dynamodb {ApproximateCreationDateTime, Keys, NewImage, OldImage,
// SequenceNumber, SizeBytes, StreamViewType}, eventSourceARN).
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "generator_support.h"

namespace kbatch::bench {
namespace {

// A DynamoDB attribute value, of the types the shape uses.
struct Value {
    enum class Type { kS, kN, kBool, kNull, kSs, kM, kL };
    Type type = Type::kNull;
    std::string text;                  // S, N (as its text)
    bool flag = true;                  // BOOL
    std::vector<std::string> names;    // M: the names of `elements`
    std::vector<Value> elements;       // M's values, L's elements
    std::vector<std::string> strings;  // SS

    static Value of(Type type) {
        Value value;
        value.type = type;
        return value;
    }
    static Value s(std::string text) { return with_text(Type::kS, std::move(text)); }
    static Value n(std::string text) { return with_text(Type::kN, std::move(text)); }
    static Value boolean(bool flag) {
        Value value = of(Type::kBool);
        value.flag = flag;
        return value;
    }
    static Value null() { return of(Type::kNull); }
    static Value ss(std::vector<std::string> strings) {
        Value value = of(Type::kSs);
        value.strings = std::move(strings);
        return value;
    }
    static Value m() { return of(Type::kM); }
    static Value l() { return of(Type::kL); }
    static Value with_text(Type type, std::string text) {
        Value value = of(type);
        value.text = std::move(text);
        return value;
    }

    // Adds a member to a map.
    Value& add(std::string name, Value value) {
        names.push_back(std::move(name));
        elements.push_back(std::move(value));
        return *this;
    }
};

std::string map_text(const Value& map);

// {"S":"..."}, {"M":{...}} and so on, compact, as Lambda writes attribute values.
std::string value_text(const Value& value) {
    switch (value.type) {
        case Value::Type::kS:
            return R"({"S":)" + json_string(value.text) + '}';
        case Value::Type::kN:
            return R"({"N":)" + json_string(value.text) + '}';
        case Value::Type::kBool:
            return value.flag ? R"({"BOOL":true})" : R"({"BOOL":false})";
        case Value::Type::kNull:
            return R"({"NULL":true})";
        case Value::Type::kSs: {
            std::string out = R"({"SS":[)";
            for (std::size_t i = 0; i < value.strings.size(); ++i) {
                if (i > 0)
                    out += ',';
                out += json_string(value.strings[i]);
            }
            return out + "]}";
        }
        case Value::Type::kM:
            return R"({"M":)" + map_text(value) + '}';
        case Value::Type::kL: {
            std::string out = R"({"L":[)";
            for (std::size_t i = 0; i < value.elements.size(); ++i) {
                if (i > 0)
                    out += ',';
                out += value_text(value.elements[i]);
            }
            return out + "]}";
        }
    }
    return {};
}

// An item, a map's content: {"name":{"S":"..."},...}.
std::string map_text(const Value& map) {
    JsonMembers members;
    for (std::size_t i = 0; i < map.names.size(); ++i)
        members.emplace_back(map.names[i], value_text(map.elements[i]));
    std::string out;
    append_object(out, std::move(members), JsonForm{});
    return out;
}

// The bytes DynamoDB counts for a value (the developer guide's "Item sizes"): strings their UTF-8
// length, a number about one byte per two digits plus one, BOOL and NULL one, a map or list 3 plus
// a byte per element plus its content.
std::size_t value_size(const Value& value) {
    switch (value.type) {
        case Value::Type::kS:
            return value.text.size();
        case Value::Type::kN:
            return (value.text.size() + 1) / 2 + 1;
        case Value::Type::kBool:
        case Value::Type::kNull:
            return 1;
        case Value::Type::kSs: {
            std::size_t size = 0;
            for (const std::string& s : value.strings)
                size += s.size();
            return size;
        }
        case Value::Type::kM:
        case Value::Type::kL: {
            std::size_t size = 3 + value.elements.size();
            for (std::size_t i = 0; i < value.elements.size(); ++i)
                size += (i < value.names.size() ? value.names[i].size() : 0) +
                        value_size(value.elements[i]);
            return size;
        }
    }
    return 0;
}

// An item's size: its attributes' names and values.
std::size_t item_size(const Value& item) {
    return value_size(item) - 3 - item.elements.size();
}

// What does not change between an order's images.
struct Order {
    std::string customer;
    std::string key;  // the sort key
    std::uint64_t created_ms = 0;
    Value address;
    Value lines;
    std::uint64_t total_cents = 0;
    std::uint64_t item_count = 0;
    bool gift_wrap = false;
    std::string coupon;  // empty: NULL
    std::vector<std::string> tags;
    std::string note;  // empty: no such attribute
};

// `whole`.`millionths` as DynamoDB gives a number back: no trailing zeros in the fraction.
std::string decimal(std::uint64_t whole, std::uint64_t millionths) {
    std::string text = fmt::format("{}.{:06}", whole, millionths);
    while (text.back() == '0')
        text.pop_back();
    if (text.back() == '.')
        text.pop_back();
    return text;
}

constexpr std::string_view kStatuses[] = {"PENDING", "PAID", "PACKED", "SHIPPED", "DELIVERED"};

Order make_order(Random& random, std::uint64_t now_ms) {
    static constexpr std::string_view kNames[] = {"Emma Smith", "Zoë Müller",   "José García",
                                                  "Mei Chen",   "Łukasz Nowak", "Liam O'Brien"};
    static constexpr std::string_view kCities[][4] = {
        {"Lyon", "69002", "FR", "Rue de la République"},
        {"München", "80331", "DE", "Sendlinger Straße"},
        {"Dublin", "D02 X285", "IE", "Grafton Street"},
        {"Kraków", "31-042", "PL", "ulica Floriańska"},
        {"Porto", "4050-262", "PT", "Rua das Flores"}};
    static constexpr std::string_view kProducts[] = {
        "Espresso cups (set of 4)", "Linen apron", R"(Poster "Night Harbour", 50x70)",
        "Cast-iron pan 28 cm",      "Tea towel",   "Ceramic vase"};
    static constexpr std::string_view kColors[] = {"black", "white", "sage", "terracotta"};
    static constexpr std::string_view kSizes[] = {"S", "M", "L", "one size"};
    static constexpr std::string_view kTags[] = {"express", "fragile", "gift", "first-order",
                                                 "priority"};
    static constexpr std::string_view kNotes[] = {
        R"(Leave at the "blue" door)", R"(Ring twice, then "hello")", "Deliver after 6 pm"};
    Order order;
    order.customer = "CUSTOMER#" + random.digits(6);
    order.created_ms = now_ms - random.below(86'400'000);
    order.key = "ORDER#" + iso_utc(order.created_ms) + '#' + random.hex(8);

    const auto& city = random.one_of(kCities);
    Value geo = Value::m();
    geo.add("lat", Value::n(decimal(40 + random.below(15), random.below(1'000'000))))
        .add("lon", Value::n(decimal(random.below(20), random.below(1'000'000))));
    order.address = Value::m();
    order.address.add("name", Value::s(std::string(random.one_of(kNames))))
        .add("street", Value::s(fmt::format("{} {}", 1 + random.below(200), city[3])))
        .add("city", Value::s(std::string(city[0])))
        .add("postcode", Value::s(std::string(city[1])))
        .add("country", Value::s(std::string(city[2])))
        .add("geo", std::move(geo));

    order.lines = Value::l();
    const std::uint64_t lines = 1 + random.below(4);
    for (std::uint64_t i = 0; i < lines; ++i) {
        const std::uint64_t quantity = 1 + random.below(3);
        const std::uint64_t price = 299 + random.below(12000);
        order.total_cents += quantity * price;
        order.item_count += quantity;
        Value options = Value::m();
        options.add("color", Value::s(std::string(random.one_of(kColors))))
            .add("size", Value::s(std::string(random.one_of(kSizes))));
        Value line = Value::m();
        line.add("sku", Value::s("SKU-" + random.digits(5)))
            .add("title", Value::s(std::string(random.one_of(kProducts))))
            .add("qty", Value::n(std::to_string(quantity)))
            .add("price", Value::n(decimal_cents(price)))
            .add("options", std::move(options));
        order.lines.elements.push_back(std::move(line));
    }
    order.gift_wrap = random.percent(20);
    if (random.percent(30))
        order.coupon = "SAVE" + random.digits(2);
    const std::uint64_t tags = 1 + random.below(3);
    for (std::uint64_t i = 0; i < tags; ++i)
        order.tags.emplace_back(kTags[(i * 2 + random.below(2)) % std::size(kTags)]);
    if (random.percent(30))
        order.note = random.one_of(kNotes);
    return order;
}

// The order's item at one version.
Value order_item(const Order& order, std::size_t status, std::uint64_t version,
                 std::uint64_t updated_ms) {
    Value item = Value::m();
    item.add("pk", Value::s(order.customer))
        .add("sk", Value::s(order.key))
        .add("status", Value::s(std::string(kStatuses[status])))
        .add("total", Value::n(decimal_cents(order.total_cents)))
        .add("currency", Value::s("EUR"))
        .add("itemCount", Value::n(std::to_string(order.item_count)))
        .add("giftWrap", Value::boolean(order.gift_wrap))
        .add("coupon", order.coupon.empty() ? Value::null() : Value::s(order.coupon))
        .add("tags", Value::ss(order.tags))
        .add("shippingAddress", order.address)
        .add("lines", order.lines);
    if (!order.note.empty())
        item.add("deliveryNote", Value::s(order.note));
    item.add("createdAt", Value::s(iso_utc(order.created_ms)))
        .add("updatedAt", Value::s(iso_utc(updated_ms)))
        .add("version", Value::n(std::to_string(version)));
    return item;
}

}  // namespace

std::string generate_dynamodb_event(std::uint64_t seed, EventStats& stats) {
    Random random(seed);
    const std::string account = random.digits(12);
    static constexpr std::string_view kRegions[] = {"us-east-1", "eu-west-1", "us-west-2"};
    const std::string region(random.one_of(kRegions));
    std::uint64_t now_ms = 1'700'000'000'000 + random.below(100'000'000'000);
    std::string label = iso_utc(now_ms - 30 * 86'400'000ull);
    label.pop_back();  // a stream label has no "Z": 2026-11-01T10:00:00.000
    const std::string arn = fmt::format("arn:aws:dynamodb:{}:{}:table/orders-{}/stream/{}", region,
                                        account, random.hex(4), label);
    std::string sequence = "4";
    while (sequence.size() < 28)
        sequence += random.digit();

    std::vector<std::string> records;
    std::vector<std::string> new_images;
    std::size_t size = 0;
    while (size < kLambdaPayloadLimit) {
        now_ms += random.below(400);
        add_decimal(sequence, 1 + random.below(std::uint64_t{1} << 30));
        const Order order = make_order(random, now_ms);
        // 80% MODIFY (a status moves on), 15% INSERT, 5% REMOVE (half of them TTL deletes).
        const std::uint64_t kind = random.below(100);
        const std::string_view name = kind < 80 ? "MODIFY" : kind < 95 ? "INSERT" : "REMOVE";
        const std::size_t status =
            name == "INSERT" ? 0 : 1 + random.below(std::size(kStatuses) - 1);
        const std::uint64_t version = name == "INSERT" ? 1 : 2 + random.below(6);
        const Value item = order_item(order, status, version, now_ms);
        const Value old_item = order_item(order, status == 0 ? 0 : status - 1, version - 1,
                                          now_ms - random.below(3'600'000));

        Value keys = Value::m();
        keys.add("pk", Value::s(order.customer)).add("sk", Value::s(order.key));
        std::size_t size_bytes = item_size(keys);
        std::string new_image;
        JsonMembers dynamodb{{"ApproximateCreationDateTime", std::to_string(now_ms / 1000)},
                             {"Keys", map_text(keys)}};
        if (name != "REMOVE") {
            new_image = map_text(item);
            size_bytes += item_size(item);
            dynamodb.emplace_back("NewImage", new_image);
        }
        if (name != "INSERT") {
            size_bytes += item_size(old_item);
            dynamodb.emplace_back("OldImage", map_text(old_item));
        }
        dynamodb.emplace_back("SequenceNumber", json_string(sequence));
        dynamodb.emplace_back("SizeBytes", std::to_string(size_bytes));
        dynamodb.emplace_back("StreamViewType", R"("NEW_AND_OLD_IMAGES")");
        std::string dynamodb_text;
        append_object(dynamodb_text, std::move(dynamodb), JsonForm{});

        JsonMembers members{{"eventID", json_string(random.hex(32))},
                            {"eventName", json_string(name)},
                            {"eventVersion", R"("1.1")"},
                            {"eventSource", R"("aws:dynamodb")"},
                            {"awsRegion", json_string(region)}};
        if (name == "REMOVE" && random.percent(50)) {
            members.emplace_back("userIdentity",
                                 R"({"type":"Service","principalId":"dynamodb.amazonaws.com"})");
        }
        members.emplace_back("dynamodb", std::move(dynamodb_text));
        members.emplace_back("eventSourceARN", json_string(arn));
        std::string record;
        append_object(record, std::move(members), JsonForm{});
        size += record.size() + 1;
        records.push_back(std::move(record));
        new_images.push_back(std::move(new_image));
    }
    std::size_t kept = 0;
    std::string event = records_event(records, JsonForm{}, kLambdaPayloadLimit, &kept);
    stats.records = kept;
    for (std::size_t i = 0; i < kept; ++i)
        count_payload(stats, new_images[i], true);
    return event;
}

}  // namespace kbatch::bench
