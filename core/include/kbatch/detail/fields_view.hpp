// kbatch plugin SDK, internal: the common part of the record views (KinesisRecord, SqsMessage,
// DynamoDbRecord): a pointer to the fields struct that crossed the boundary and how many bytes of
// it the host filled, so that a field appended in a later SDK reads as empty from an older host.
#pragma once

#include <cstddef>

#include "kbatch/abi.hpp"

namespace kbatch::detail {

template <class Fields>
class FieldsView {
  public:
    using fields_type = Fields;

    /// A view of `fields`, which must outlive it. `size` is how many bytes of it are filled (the
    /// host's record stride); the default is the whole struct, as this SDK knows it.
    explicit FieldsView(const Fields& fields, std::size_t size = sizeof(Fields)) noexcept
        : fields_(&fields), size_(size) {}
    /// A temporary would leave the view dangling.
    explicit FieldsView(const Fields&& fields, std::size_t size = sizeof(Fields)) = delete;

    /// All fields at once, as this SDK knows them. A field past filled_size() is not from the
    /// host: use has_field() before reading fields that a later SDK version added.
    const Fields& fields() const noexcept { return *fields_; }
    /// How many bytes of the fields struct the host filled.
    std::size_t filled_size() const noexcept { return size_; }
    /// Whether the host filled the member at `offset` of `length` bytes.
    bool has_field(std::size_t offset, std::size_t length) const noexcept {
        return offset + length <= size_;
    }

  private:
    const Fields* fields_;
    std::size_t size_;
};

}  // namespace kbatch::detail
