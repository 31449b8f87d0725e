package org.adatoken3d.server;

/**
 * A request the server refuses, as OpenAI's error object: {@code {"error": {"message", "type", "param", "code"}}}
 * with an HTTP status. The message is one line a client can act on; no stack trace ever leaves the server.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiException(int status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    public static ApiException badRequest(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, null, message);
    }

    public static ApiException badRequest(String param, String code, String message) {
        return new ApiException(400, "invalid_request_error", param, code, message);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                "missing or wrong API key: send the header 'Authorization: Bearer KEY'");
    }

    public static ApiException notFound(String param, String code, String message) {
        return new ApiException(404, "invalid_request_error", param, code, message);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large", message);
    }

    public static ApiException busy(String message) {
        return new ApiException(429, "rate_limit_error", null, "queue_full", message);
    }

    public static ApiException unavailable(String code, String message) {
        return new ApiException(503, "server_error", null, code, message);
    }

    public static ApiException internal() {
        return new ApiException(500, "server_error", null, "internal_error", "internal server error (logged on the server)");
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }
}
