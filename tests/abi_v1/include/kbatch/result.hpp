// kbatch plugin SDK: what processing one record came to.
#pragma once

#include <string>
#include <utility>

#include "kbatch/abi.hpp"

namespace kbatch {
inline namespace abi_v1 {

/// The outcome of processing one record: success, or failure with a reason for the logs.
/// A failed record is reported to Lambda by its sequence number, and Lambda delivers it again.
/// A value type; the reason is owned.
class Result {
  public:
    /// The record was processed.
    static Result ok() noexcept { return Result(); }
    /// The record was not processed; `reason` says why (logged, never sent to Lambda).
    static Result failure(std::string reason) { return Result(std::move(reason)); }

    bool succeeded() const noexcept { return succeeded_; }
    bool failed() const noexcept { return !succeeded_; }
    /// Why the record failed; empty for a success.
    const std::string& reason() const noexcept { return reason_; }

  private:
    Result() noexcept = default;
    explicit Result(std::string reason) : succeeded_(false), reason_(std::move(reason)) {}

    bool succeeded_ = true;
    std::string reason_;
};

}  // namespace abi_v1
}  // namespace kbatch
