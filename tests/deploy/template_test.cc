// deploy/template.yaml, read with a real YAML parser (yaml-cpp): the settings that make partial
// batch failure work on Lambda, and the parameters a team sets. CloudFormation's short forms
// (!Ref, !GetAtt) are YAML tags: yaml-cpp keeps them on the node.
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include "deploy_paths.h"
#include "failure_policy.h"

namespace kbatch::deploy_test {
namespace {

YAML::Node load_template() {
    return YAML::LoadFile(template_file().string());
}

std::vector<std::string> strings(const YAML::Node& sequence) {
    REQUIRE(sequence.IsSequence());
    return sequence.as<std::vector<std::string>>();
}

// A node written as "!Tag value".
void require_tagged(const YAML::Node& node, const std::string& tag, const std::string& value) {
    REQUIRE(node.IsDefined());
    CHECK(node.Tag() == tag);
    CHECK(node.as<std::string>() == value);
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

    const YAML::Node layer = resources["KbatchLayer"]["Properties"];
    CHECK(layer["ContentUri"].as<std::string>().ends_with("kbatch-layer-x86_64.zip"));
    CHECK(strings(layer["CompatibleRuntimes"]) == std::vector<std::string>{"provided.al2023"});
    CHECK(strings(layer["CompatibleArchitectures"]) == std::vector<std::string>{"x86_64"});
}

TEST_CASE("the function runs on provided.al2023 with the layer and the handler parameter") {
    const YAML::Node function = load_template()["Resources"]["Function"]["Properties"];
    CHECK(function["Runtime"].as<std::string>() == "provided.al2023");
    CHECK(strings(function["Architectures"]) == std::vector<std::string>{"x86_64"});
    CHECK(function["CodeUri"].as<std::string>().ends_with("-function.zip"));
    require_tagged(function["Handler"], "!Ref", "PluginHandler");
    REQUIRE(function["Layers"].size() == 1);
    require_tagged(function["Layers"][0], "!Ref", "KbatchLayer");

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
    CHECK(strings(properties["FunctionResponseTypes"]) ==
          std::vector<std::string>{"ReportBatchItemFailures"});
    CHECK(properties["BisectBatchOnFunctionError"].as<bool>());
    CHECK(properties["MaximumRetryAttempts"].as<int>() == 3);
    CHECK(properties["MaximumRecordAgeInSeconds"].as<int>() == 3600);
    require_tagged(properties["DestinationConfig"]["OnFailure"]["Destination"], "!GetAtt",
                   "FailedRecords.Arn");
}

TEST_CASE("the plugin, its configuration and the failure mode are parameters") {
    const YAML::Node parameters = load_template()["Parameters"];
    CHECK(parameters["PluginHandler"]["Type"].as<std::string>() == "String");
    CHECK(parameters["PluginHandler"]["Default"].as<std::string>() == "json_check");
    const YAML::Node config = parameters["PluginConfig"];
    CHECK(config["Type"].as<std::string>() == "String");
    CHECK(config["Default"].as<std::string>() == R"({"required_fields":["id"]})");
    const YAML::Node mode = parameters["FailureMode"];
    CHECK(mode["Default"].as<std::string>() == "report-all");
    CHECK(strings(mode["AllowedValues"]) ==
          std::vector<std::string>{"report-all", "stop-on-first-failure"});
    // Each one is a mode the host accepts in KBATCH_FAILURE_MODE.
    for (const std::string& value : strings(mode["AllowedValues"])) {
        INFO(value);
        CHECK(kbatch::parse_failure_policy(value).has_value());
    }
}

}  // namespace kbatch::deploy_test
