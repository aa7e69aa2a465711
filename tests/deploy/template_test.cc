// The SAM template (deploy/template.yaml.in, as this build configured it and `cmake --install`
// installs it), read with a real YAML parser (yaml-cpp): the settings that make partial batch
// failure work on Lambda for each event source the EventSource parameter chooses, and the
// parameters a team sets. CloudFormation's short forms (!Ref, !GetAtt, !If, !Sub, !Equals,
// !Condition) are YAML tags: yaml-cpp keeps them on the node. cfn-lint, where it is installed,
// checks the same file against CloudFormation's own schemas (tests/deploy/CMakeLists.txt).
#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include "deploy_paths.h"
#include "failure_policy.h"
#include "test_support.h"

namespace kbatch::deploy_test {
namespace {

using Strings = std::vector<std::string>;

YAML::Node load_template() {
    return YAML::LoadFile(template_file().string());
}

Strings strings(const YAML::Node& sequence) {
    REQUIRE(sequence.IsSequence());
    return sequence.as<Strings>();
}

// A node written as "!Tag value".
void require_tagged(const YAML::Node& node, const std::string& tag, const std::string& value) {
    REQUIRE(node.IsDefined());
    CHECK(node.Tag() == tag);
    CHECK(node.as<std::string>() == value);
}

// A node written as "!If [condition, then, else]"; returns it for the branches' checks.
YAML::Node require_if(const YAML::Node& node, const std::string& condition) {
    REQUIRE(node.IsDefined());
    CHECK(node.Tag() == "!If");
    REQUIRE(node.IsSequence());
    REQUIRE(node.size() == 3);
    CHECK(node[0].as<std::string>() == condition);
    return node;
}

// The resource a !Ref or !GetAtt names ("Stream" in "Stream.Arn").
std::string resource_name(const std::string& reference) {
    return reference.substr(0, reference.find('.'));
}

// The names a !Sub's ${...} uses ("Table" in "${Table.StreamArn}"), pseudo-parameters included.
std::vector<std::string> sub_variables(const YAML::Node& node) {
    static const std::regex kVariable(R"(\$\{([^}!]+)\})");
    const std::string text = node.IsSequence() ? node[0].as<std::string>() : node.as<std::string>();
    std::vector<std::string> names;
    for (std::sregex_iterator it(text.begin(), text.end(), kVariable), end; it != end; ++it)
        names.push_back(resource_name((*it)[1].str()));
    return names;
}

// Every name that a !Ref, a !GetAtt, a !Sub's ${...}, an !If, a !Condition or a Condition:
// uses, anywhere below `node`.
void collect_references(const YAML::Node& node, std::set<std::string>& refs,
                        std::set<std::string>& conditions) {
    if (node.Tag() == "!Ref" || node.Tag() == "!GetAtt")
        refs.insert(resource_name(node.as<std::string>()));
    if (node.Tag() == "!Sub") {
        for (const std::string& name : sub_variables(node))
            refs.insert(name);
    }
    if (node.Tag() == "!If")
        conditions.insert(node[0].as<std::string>());
    if (node.Tag() == "!Condition")
        conditions.insert(node.as<std::string>());
    if (node.IsMap()) {
        for (const auto& entry : node) {
            if (entry.first.as<std::string>() == "Condition" && entry.second.IsScalar())
                conditions.insert(entry.second.as<std::string>());
            collect_references(entry.second, refs, conditions);
        }
    } else if (node.IsSequence()) {
        for (const YAML::Node& item : node)
            collect_references(item, refs, conditions);
    }
}

// One source the EventSource parameter can choose, and what the template creates for it.
struct Source {
    std::string value;      // EventSource's value
    std::string condition;  // the condition that holds for it
    std::string resource;   // the stream, queue or table
    std::string arn;        // what the mapping's EventSourceArn gets (!GetAtt)
};

const std::vector<Source>& sources() {
    static const std::vector<Source> kSources = {
        {"kinesis", "FromKinesis", "Stream", "Stream.Arn"},
        {"sqs", "FromSqs", "Queue", "Queue.Arn"},
        {"dynamodb", "FromDynamoDB", "Table", "Table.StreamArn"},
    };
    return kSources;
}

// The source whose EventSource value is `value`.
const Source& source_named(const std::string& value) {
    const auto found = std::find_if(sources().begin(), sources().end(),
                                    [&](const Source& source) { return source.value == value; });
    REQUIRE(found != sources().end());
    return *found;
}

// The event source mappings by the condition that creates each. Every mapping has one, and no
// two share it: whatever EventSource says, the stack holds exactly one mapping.
std::map<std::string, std::string> mappings_by_condition(const YAML::Node& resources) {
    std::map<std::string, std::string> mappings;
    for (const auto& resource : resources) {
        if (resource.second["Type"].as<std::string>() != "AWS::Lambda::EventSourceMapping")
            continue;
        const std::string name = resource.first.as<std::string>();
        INFO(name);
        REQUIRE(resource.second["Condition"].IsDefined());
        const std::string condition = resource.second["Condition"].as<std::string>();
        CHECK(mappings.emplace(condition, name).second);
    }
    return mappings;
}

// The mapping that the source's condition creates, or fails the test.
YAML::Node mapping_of(const YAML::Node& resources, const Source& source) {
    const std::map<std::string, std::string> mappings = mappings_by_condition(resources);
    const auto found = mappings.find(source.condition);
    REQUIRE(found != mappings.end());
    return resources[found->second];
}

// Walks `node`, knowing that the conditions in `holding` are true there (the resource's or the
// output's own Condition, and the first branch of each !If around the node), and checks that
// every resource it refers to with !Ref, !GetAtt or !Sub exists then: its own Condition, if it
// has one, is among them. A stack that refers to a resource its parameters left out fails to
// deploy, so each such mistake would break one EventSource value only.
void check_references_exist(const YAML::Node& node, const YAML::Node& resources,
                            std::set<std::string> holding) {
    std::vector<std::string> targets;
    if (node.Tag() == "!Ref" || node.Tag() == "!GetAtt")
        targets.push_back(resource_name(node.as<std::string>()));
    if (node.Tag() == "!Sub")
        targets = sub_variables(node);
    for (const std::string& target : targets) {
        const YAML::Node resource = resources[target];
        if (!resource.IsDefined() || !resource["Condition"].IsDefined())
            continue;
        INFO("a reference to " << target);
        CHECK(holding.count(resource["Condition"].as<std::string>()) == 1);
    }
    if (node.Tag() == "!If") {
        REQUIRE(node.size() == 3);
        std::set<std::string> then_holding = holding;
        then_holding.insert(node[0].as<std::string>());
        check_references_exist(node[1], resources, then_holding);
        check_references_exist(node[2], resources, holding);
    } else if (node.IsMap()) {
        for (const auto& entry : node)
            check_references_exist(entry.second, resources, holding);
    } else if (node.IsSequence()) {
        for (const YAML::Node& item : node)
            check_references_exist(item, resources, holding);
    }
}

// Each entry of `section` (Resources or Outputs) with its own Condition.
void check_section_references_exist(const YAML::Node& section, const YAML::Node& resources) {
    for (const auto& entry : section) {
        INFO(entry.first.as<std::string>());
        std::set<std::string> holding;
        if (entry.second["Condition"].IsDefined())
            holding.insert(entry.second["Condition"].as<std::string>());
        check_references_exist(entry.second, resources, holding);
    }
}

}  // namespace

TEST_CASE("the template is a SAM template with the sources, the failures queue, layer, function") {
    const YAML::Node doc = load_template();
    CHECK(doc["Transform"].as<std::string>() == "AWS::Serverless-2016-10-31");
    const YAML::Node resources = doc["Resources"];
    CHECK(resources["Stream"]["Type"].as<std::string>() == "AWS::Kinesis::Stream");
    CHECK(resources["Queue"]["Type"].as<std::string>() == "AWS::SQS::Queue");
    CHECK(resources["Table"]["Type"].as<std::string>() == "AWS::DynamoDB::Table");
    CHECK(resources["FailedRecords"]["Type"].as<std::string>() == "AWS::SQS::Queue");
    CHECK(resources["KbatchLayer"]["Type"].as<std::string>() == "AWS::Serverless::LayerVersion");
    CHECK(resources["Function"]["Type"].as<std::string>() == "AWS::Serverless::Function");
    // What every source uses exists whatever EventSource says.
    CHECK_FALSE(resources["FailedRecords"]["Condition"].IsDefined());
    CHECK_FALSE(resources["Function"]["Condition"].IsDefined());
    // Which kbatch it deploys.
    CHECK(doc["Description"].as<std::string>().find("kbatch " + kbatch_version() + " ") !=
          std::string::npos);
}

TEST_CASE("the template is configured: no placeholder is left, and it is the one installed") {
    const std::string text = kbatch::test::read_file(template_file());
    CHECK(text.find('@') == std::string::npos);
    CHECK(template_file().filename() == "template.yaml");
}

TEST_CASE("the layer comes from ArtifactBucket, by default under its installed name") {
    const YAML::Node doc = load_template();
    const YAML::Node layer = doc["Resources"]["KbatchLayer"];
    CHECK(layer["Condition"].as<std::string>() == "WithLayer");
    const YAML::Node properties = layer["Properties"];
    require_tagged(properties["ContentUri"]["Bucket"], "!Ref", "ArtifactBucket");
    require_tagged(properties["ContentUri"]["Key"], "!Ref", "LayerZipKey");
    CHECK(strings(properties["CompatibleRuntimes"]) == Strings{"provided.al2023"});
    CHECK(strings(properties["CompatibleArchitectures"]) == Strings{lambda_arch()});

    // The zip `cmake --install` puts beside the template: copied to the bucket under its name,
    // it needs no parameter.
    const YAML::Node key = doc["Parameters"]["LayerZipKey"];
    CHECK(key["Default"].as<std::string>() == layer_zip().filename().string());
    // An empty key means no layer (a standalone zip).
    const YAML::Node with_layer = doc["Conditions"]["WithLayer"];
    CHECK(with_layer.Tag() == "!Not");
    CHECK(with_layer[0].Tag() == "!Equals");
    require_tagged(with_layer[0][0], "!Ref", "LayerZipKey");
    CHECK(with_layer[0][1].as<std::string>().empty());
}

TEST_CASE("the function runs the handler parameter's plugin, from the zip named after it") {
    const YAML::Node function = load_template()["Resources"]["Function"]["Properties"];
    CHECK(function["Runtime"].as<std::string>() == "provided.al2023");
    CHECK(strings(function["Architectures"]) == Strings{lambda_arch()});
    require_tagged(function["Handler"], "!Ref", "PluginHandler");

    require_tagged(function["CodeUri"]["Bucket"], "!Ref", "ArtifactBucket");
    // The zip kbatch_package_function or kbatch_package_standalone makes, unless given.
    const YAML::Node key = require_if(function["CodeUri"]["Key"], "DefaultFunctionZipKey");
    const YAML::Node by_name = require_if(key[1], "WithLayer");
    require_tagged(by_name[1], "!Sub", "${PluginHandler}-function.zip");
    require_tagged(by_name[2], "!Sub", "${PluginHandler}-standalone.zip");
    require_tagged(key[2], "!Ref", "FunctionZipKey");

    REQUIRE(function["Layers"].size() == 1);
    const YAML::Node layer = require_if(function["Layers"][0], "WithLayer");
    require_tagged(layer[1], "!Ref", "KbatchLayer");
    require_tagged(layer[2], "!Ref", "AWS::NoValue");

    const YAML::Node variables = function["Environment"]["Variables"];
    require_tagged(variables["KBATCH_PLUGIN_CONFIG"], "!Ref", "PluginConfig");
    require_tagged(variables["KBATCH_FAILURE_MODE"], "!Ref", "FailureMode");
}

TEST_CASE(
    "EventSource chooses the one source the stack creates: kinesis by default, sqs, dynamodb") {
    const YAML::Node doc = load_template();
    const YAML::Node parameter = doc["Parameters"]["EventSource"];
    CHECK(parameter["Type"].as<std::string>() == "String");
    // Kinesis by default: a stack deployed from an earlier template, which had only Kinesis,
    // keeps its stream on update.
    CHECK(parameter["Default"].as<std::string>() == "kinesis");
    Strings values;
    for (const Source& source : sources())
        values.push_back(source.value);
    CHECK(strings(parameter["AllowedValues"]) == values);

    for (const Source& source : sources()) {
        INFO(source.value);
        // The condition holds for exactly this value.
        const YAML::Node condition = doc["Conditions"][source.condition];
        REQUIRE(condition.IsDefined());
        CHECK(condition.Tag() == "!Equals");
        REQUIRE(condition.size() == 2);
        require_tagged(condition[0], "!Ref", "EventSource");
        CHECK(condition[1].as<std::string>() == source.value);
        // The stream, queue or table exists only with it.
        CHECK(doc["Resources"][source.resource]["Condition"].as<std::string>() == source.condition);
    }
    // Each output that names a source's resource exists with it.
    CHECK(doc["Outputs"]["StreamName"]["Condition"].as<std::string>() == "FromKinesis");
    CHECK(doc["Outputs"]["QueueUrl"]["Condition"].as<std::string>() == "FromSqs");
    CHECK(doc["Outputs"]["TableName"]["Condition"].as<std::string>() == "FromDynamoDB");
}

TEST_CASE("every source's event source mapping reports batch item failures, for this function") {
    const YAML::Node doc = load_template();
    const YAML::Node resources = doc["Resources"];
    // A SAM event cannot carry a Condition, so the mappings are resources of their own.
    CHECK_FALSE(resources["Function"]["Properties"]["Events"].IsDefined());
    const std::map<std::string, std::string> mappings = mappings_by_condition(resources);
    CHECK(mappings.size() == sources().size());
    for (const Source& source : sources()) {
        INFO(source.value);
        const YAML::Node properties = mapping_of(resources, source)["Properties"];
        require_tagged(properties["FunctionName"], "!Ref", "Function");
        require_tagged(properties["EventSourceArn"], "!GetAtt", source.arn);
        // Without it Lambda ignores batchItemFailures and every batch counts as a success (on
        // SQS: every message is deleted).
        CHECK(strings(properties["FunctionResponseTypes"]) == Strings{"ReportBatchItemFailures"});
        CHECK(properties["BatchSize"].as<int>() == 100);
        CHECK(properties["MaximumBatchingWindowInSeconds"].as<int>() == 1);
    }
}

TEST_CASE("the Kinesis and DynamoDB mappings start at the oldest, bisect, retry, then give up") {
    const YAML::Node resources = load_template()["Resources"];
    for (const Source& source : sources()) {
        if (source.value == "sqs")
            continue;  // the SQS mapping has none of these (the next test)
        INFO(source.value);
        const YAML::Node properties = mapping_of(resources, source)["Properties"];
        CHECK(properties["StartingPosition"].as<std::string>() == "TRIM_HORIZON");
        // A batch that fails as a whole is split in two and retried: a poison record is isolated.
        CHECK(properties["BisectBatchOnFunctionError"].as<bool>());
        CHECK(properties["MaximumRetryAttempts"].as<int>() == 3);
        CHECK(properties["MaximumRecordAgeInSeconds"].as<int>() == 3600);
        require_tagged(properties["DestinationConfig"]["OnFailure"]["Destination"], "!GetAtt",
                       "FailedRecords.Arn");
    }
    // The Kinesis mapping has the logical name SAM gave the former `Events: Stream`, so that a
    // stack deployed from an earlier template keeps its mapping, and its place in the stream.
    CHECK(mappings_by_condition(resources).at("FromKinesis") == "FunctionStream");
    // The table's stream carries the item before and after each change.
    CHECK(resources["Table"]["Properties"]["StreamSpecification"]["StreamViewType"]
              .as<std::string>() == "NEW_AND_OLD_IMAGES");
}

TEST_CASE(
    "the SQS mapping sets only what a queue accepts; the queue redelivers, then dead-letters") {
    const YAML::Node doc = load_template();
    const YAML::Node resources = doc["Resources"];
    const YAML::Node properties = mapping_of(resources, source_named("sqs"))["Properties"];
    // Lambda refuses these on an SQS mapping (they are for streams), and the stack would fail.
    for (const char* stream_only :
         {"StartingPosition", "StartingPositionTimestamp", "BisectBatchOnFunctionError",
          "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "DestinationConfig",
          "ParallelizationFactor", "TumblingWindowInSeconds"}) {
        INFO(stream_only);
        CHECK_FALSE(properties[stream_only].IsDefined());
    }
    // Lambda requires a batching window of at least 1 s for batches above 10 messages.
    const int window = properties["MaximumBatchingWindowInSeconds"].as<int>();
    if (properties["BatchSize"].as<int>() > 10)
        CHECK(window >= 1);

    const YAML::Node queue = resources["Queue"]["Properties"];
    // AWS: at least six times the function's timeout, plus the batching window.
    const int timeout = resources["Function"]["Properties"]["Timeout"].as<int>();
    CHECK(queue["VisibilityTimeout"].as<int>() >= 6 * timeout + window);
    // Failed messages come back up to maxReceiveCount times (AWS: at least 5), then go to
    // FailedRecords, which keeps them longer than the queue did.
    const YAML::Node redrive = queue["RedrivePolicy"];
    require_tagged(redrive["deadLetterTargetArn"], "!GetAtt", "FailedRecords.Arn");
    CHECK(redrive["maxReceiveCount"].as<int>() >= 5);
    CHECK(resources["FailedRecords"]["Properties"]["MessageRetentionPeriod"].as<int>() >
          queue["MessageRetentionPeriod"].as<int>());
}

TEST_CASE("the function's role reads the chosen source and writes to the on-failure destination") {
    const YAML::Node doc = load_template();
    const YAML::Node policies = doc["Resources"]["Function"]["Properties"]["Policies"];
    REQUIRE(policies.IsSequence());
    // The managed policy for each source, attached only with it.
    const std::map<std::string, std::string> managed = {
        {"FromKinesis", "AWSLambdaKinesisExecutionRole"},
        {"FromSqs", "AWSLambdaSQSQueueExecutionRole"},
        {"FromDynamoDB", "AWSLambdaDynamoDBExecutionRole"},
    };
    std::map<std::string, std::string> attached;
    for (const YAML::Node& policy : policies) {
        REQUIRE(policy.Tag() == "!If");
        REQUIRE(policy.size() == 3);
        require_tagged(policy[2], "!Ref", "AWS::NoValue");
        if (policy[1].Tag() == "!Sub")
            attached[policy[0].as<std::string>()] = policy[1].as<std::string>();
    }
    CHECK(attached.size() == managed.size());
    for (const auto& [condition, name] : managed) {
        INFO(condition);
        CHECK(attached[condition] == "arn:${AWS::Partition}:iam::aws:policy/service-role/" + name);
    }
    // Kinesis and DynamoDB mappings write to FailedRecords with the function's role; on SQS the
    // queue's redrive policy moves the messages and the role needs nothing.
    const YAML::Node send = require_if(policies[0], "WithOnFailureDestination");
    require_tagged(send[1]["SQSSendMessagePolicy"]["QueueName"], "!GetAtt",
                   "FailedRecords.QueueName");
    const YAML::Node destination = doc["Conditions"]["WithOnFailureDestination"];
    CHECK(destination.Tag() == "!Not");
    require_tagged(destination[0], "!Condition", "FromSqs");
}

TEST_CASE("no resource or output refers to a resource that its conditions may leave out") {
    const YAML::Node doc = load_template();
    check_section_references_exist(doc["Resources"], doc["Resources"]);
    check_section_references_exist(doc["Outputs"], doc["Resources"]);
}

TEST_CASE("the plugin has no default: a stack that forgot it fails instead of running another") {
    const YAML::Node parameters = load_template()["Parameters"];
    const YAML::Node handler = parameters["PluginHandler"];
    CHECK(handler["Type"].as<std::string>() == "String");
    CHECK_FALSE(handler["Default"].IsDefined());
    // Given but empty, it would run the layer's default plugin: the pattern refuses it.
    // (CloudFormation matches AllowedPattern against the whole value.)
    const std::regex pattern(handler["AllowedPattern"].as<std::string>());
    CHECK_FALSE(std::regex_match("", pattern));
    CHECK(std::regex_match("my_plugin", pattern));
    CHECK(std::regex_match("/var/task/libmy_plugin.so", pattern));
    CHECK(parameters["ArtifactBucket"]["MinLength"].as<int>() > 0);
    CHECK_FALSE(parameters["ArtifactBucket"]["Default"].IsDefined());

    // No default anywhere names a plugin the layer ships.
    for (const auto& parameter : parameters) {
        const std::string name = parameter.first.as<std::string>();
        INFO(name);
        if (!parameter.second["Default"].IsDefined())
            continue;
        const std::string value = parameter.second["Default"].as<std::string>();
        CHECK(value.find("json_check") == std::string::npos);
        CHECK(value.find("random_failure") == std::string::npos);
    }
}

TEST_CASE("the configuration and the failure mode are parameters") {
    const YAML::Node parameters = load_template()["Parameters"];
    const YAML::Node config = parameters["PluginConfig"];
    CHECK(config["Type"].as<std::string>() == "String");
    CHECK(config["Default"].as<std::string>() == "{}");
    CHECK(parameters["FunctionZipKey"]["Default"].as<std::string>().empty());
    const YAML::Node mode = parameters["FailureMode"];
    CHECK(mode["Default"].as<std::string>() == "report-all");
    CHECK(strings(mode["AllowedValues"]) ==
          Strings{"report-all", "stop-on-first-failure", "skip-group-on-error"});
    // Each one is a mode the host accepts in KBATCH_FAILURE_MODE.
    for (const std::string& value : strings(mode["AllowedValues"])) {
        INFO(value);
        CHECK(kbatch::parse_failure_policy(value).has_value());
    }
}

TEST_CASE("every name the template refers to is a parameter, a resource or a condition of it") {
    const YAML::Node doc = load_template();
    std::set<std::string> refs;
    std::set<std::string> conditions;
    collect_references(doc["Resources"], refs, conditions);
    collect_references(doc["Conditions"], refs, conditions);
    collect_references(doc["Outputs"], refs, conditions);
    CHECK(refs.size() > 5);
    for (const std::string& name : refs) {
        INFO(name);
        CHECK((doc["Parameters"][name].IsDefined() || doc["Resources"][name].IsDefined() ||
               name.starts_with("AWS::")));
    }
    CHECK(conditions == std::set<std::string>{"DefaultFunctionZipKey", "WithLayer", "FromKinesis",
                                              "FromSqs", "FromDynamoDB",
                                              "WithOnFailureDestination"});
    for (const std::string& name : conditions)
        CHECK(doc["Conditions"][name].IsDefined());
}

}  // namespace kbatch::deploy_test
