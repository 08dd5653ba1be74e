import HAProxyConfig
import NIOCore

/// `retry-on` (manual 4.2): a request the server failed to answer (it
/// closed, sent junk, timed out, or answered with a listed status) is sent
/// again, within `retries`, as long as nothing went to the client and the
/// whole request is still at hand: its head is kept for the transaction
/// anyway, and its body's bytes are kept as they are sent while they fit
/// in one buffer next to the head (`tune.bufsize`; 2.6 never retries a
/// request that did not fit).
extension HTTPStreamStateMachine {
    /// Keeps the body bytes just sent (what `unsent`, the input before,
    /// has more than the input now) for a retry, or gives up retrying
    /// once they outgrow a buffer.
    mutating func keepSentBody(from unsent: ByteBuffer) {
        let length = unsent.readableBytes - inbound.readableBytes
        guard length > 0, !retryForbidden, !responseStarted else { return }
        let kept = (retryCopy?.readableBytes ?? 0) + length
        guard kept <= HTTPRequestBody.limit(for: request, policy.headLimits),
              let sent = unsent.getSlice(at: unsent.readerIndex, length: length) else {
            retryForbidden = true
            retryCopy = nil
            return
        }
        if retryCopy == nil { retryCopy = ByteBufferAllocator().buffer(capacity: length) }
        retryCopy!.writeImmutableBuffer(sent)
    }

    /// The server failed the request with `kind`: when the backend's
    /// `retry-on` lists it and a retry is left, the request is made ready
    /// to go again (its body back in front of the input, the response
    /// forgotten) and `.retryRequest` goes out; returns whether it did.
    /// As 2.6 counts it, the failure is no response error (`eresp`)
    /// unless `countingError` (junk).
    mutating func retryAfterFailure(_ kind: RetryOn, countingError: Bool = false) -> Bool {
        guard let backend, !backend.isTCP, backend.retryOn.isSuperset(of: kind), !retryForbidden,
              retriesLeft > 0, hasServer, !responseStarted else { return false }
        if countingError { emit(.countResponseError) }
        retriesLeft -= 1
        log.retries += 1
        serverAttached = false
        serverReusable = false
        serverInbound = nil
        if request.bodyFraming != .none {
            // The body goes again from its first byte.
            log.bytesFromClient &-= requestBody.loggedBytes
            if var copy = retryCopy {
                retryCopy = nil
                copy.writeBuffer(&inbound)
                inbound = copy
            }
            requestBody = HTTPBodyFramer(framing: request.bodyFraming, isRequest: true)
            requestDone = false
        }
        emit(.retryRequest)
        return true
    }
}
