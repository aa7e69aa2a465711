// The SAM template (deploy/template.yaml.in, as this build configured it and `cmake --install`
// installs it), read with a real YAML parser (yaml-cpp): the settings that make partial batch
// failure work on Lambda, and the parameters a team sets. CloudFormation's short forms (!Ref,
// !GetAtt, !If, !Sub) are YAML tags: yaml-cpp keeps them on the node.
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

// Every name that a !Ref, a !Sub's ${...}, an !If or a Condition: uses, anywhere below `node`.
void collect_references(const YAML::Node& node, std::set<std::string>& refs,
                        std::set<std::string>& conditions) {
    if (node.Tag() == "!Ref")
        refs.insert(node.as<std::string>());
    if (node.Tag() == "!Sub") {
        static const std::regex kVariable(R"(\$\{([^}.!]+)\})");
        const std::string text = node.as<std::string>();
        for (std::sregex_iterator it(text.begin(), text.end(), kVariable), end; it != end; ++it)
            refs.insert((*it)[1].str());
    }
    if (node.Tag() == "!If")
        conditions.insert(node[0].as<std::string>());
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

}  // namespace

TEST_CASE("the template is a SAM template with the stream, queue, layer and function") {
    const YAML::Node doc = load_template();
    CHECK(doc["Transform"].as<std::string>() == "AWS::Serverless-2016-10-31");
    const YAML::Node resources = doc["Resources"];
    CHECK(resources["Stream"]["Type"].as<std::string>() == "AWS::Kinesis::Stream");
    CHECK(resources["FailedRecords"]["Type"].as<std::string>() == "AWS::SQS::Queue");
    CHECK(resources["KbatchLayer"]["Type"].as<std::string>() == "AWS::Serverless::LayerVersion");
    CHECK(resources["Function"]["Type"].as<std::string>() == "AWS::Serverless::Function");
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
    // The role may write to the on-failure destination.
    require_tagged(function["Policies"][0]["SQSSendMessagePolicy"]["QueueName"], "!GetAtt",
                   "FailedRecords.QueueName");
}

TEST_CASE("the Kinesis event source reports batch item failures, bisects, retries, gives up") {
    const YAML::Node events = load_template()["Resources"]["Function"]["Properties"]["Events"];
    REQUIRE(events.size() == 1);
    const YAML::Node stream = events["Stream"];
    CHECK(stream["Type"].as<std::string>() == "Kinesis");
    const YAML::Node properties = stream["Properties"];
    require_tagged(properties["Stream"], "!GetAtt", "Stream.Arn");
    CHECK(properties["StartingPosition"].as<std::string>() == "TRIM_HORIZON");
    CHECK(properties["BatchSize"].as<int>() == 100);
    // Without it Lambda ignores batchItemFailures and every batch counts as a success.
    CHECK(strings(properties["FunctionResponseTypes"]) == Strings{"ReportBatchItemFailures"});
    CHECK(properties["BisectBatchOnFunctionError"].as<bool>());
    CHECK(properties["MaximumRetryAttempts"].as<int>() == 3);
    CHECK(properties["MaximumRecordAgeInSeconds"].as<int>() == 3600);
    require_tagged(properties["DestinationConfig"]["OnFailure"]["Destination"], "!GetAtt",
                   "FailedRecords.Arn");
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
    CHECK(strings(mode["AllowedValues"]) == Strings{"report-all", "stop-on-first-failure"});
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
    CHECK(conditions == std::set<std::string>{"DefaultFunctionZipKey", "WithLayer"});
    for (const std::string& name : conditions)
        CHECK(doc["Conditions"][name].IsDefined());
}

}  // namespace kbatch::deploy_test
