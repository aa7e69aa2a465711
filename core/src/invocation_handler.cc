#include "invocation_handler.h"

namespace kbatch {

Status InvocationHandler::handle(std::string_view event, const ProcessorHandle& processor,
                                 const Context& context, std::string* response) {
    return run_and_respond(decoder_.decode(event), processor, context, response);
}

Status InvocationHandler::handle_in_place(std::string& event, const ProcessorHandle& processor,
                                          const Context& context, std::string* response) {
    return run_and_respond(decoder_.decode_in_place(event), processor, context, response);
}

Status InvocationHandler::run_and_respond(Status decoded, const ProcessorHandle& processor,
                                          const Context& context, std::string* response) {
    response->clear();
    report_.clear();
    if (!decoded.is_ok())
        return decoded;
    Status status = run_batch(decoder_.batch(), processor, context, options_, report_);
    if (!status.is_ok())
        return status;
    writer_.write(report_, *response, pretty_);
    return Status::ok();
}

}  // namespace kbatch
