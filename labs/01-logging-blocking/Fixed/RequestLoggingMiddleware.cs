using System.Collections.Frozen;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Lab01;

/// <summary>
/// Writes one event per request to the request log: what was asked, what was answered and how long it took;
/// at Debug, also the headers (secrets redacted) and the start of the body.
/// </summary>
public sealed partial class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger, IOptions<RequestLogOptions> options) // FIX: log through ILogger; the sink behind it owns the disk
{
    public const string MeterName = "Lab01.RequestLog";

    // FIX: credentials never reach a log file, at any level.
    private static readonly FrozenSet<string> SensitiveHeaders =
        new[] { "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        // FIX: bodies are read (and only up to a limit) when Debug is on, never at Information.
        var body = logger.IsEnabled(LogLevel.Debug) ? await ReadBodyStartAsync(request, options.Value.MaxBodyBytes, context.RequestAborted) : null;

        await next(context);

        var elapsed = Stopwatch.GetElapsedTime(started);
        // FIX: one structured event; formatting and the disk happen on the sink's own thread, off the request path.
        LogRequest(logger, request.Method, request.Path.Value ?? "/", context.Response.StatusCode, elapsed.TotalMilliseconds);
        if (body is not null)
        {
            LogRequestDetail(logger, request.Method, request.Path.Value ?? "/", Redact(request.Headers), Redact(context.Response.Headers), body);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {ElapsedMs} ms")]
    private static partial void LogRequest(ILogger logger, string requestMethod, string requestPath, int statusCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "HTTP {RequestMethod} {RequestPath} headers {RequestHeaders}, response headers {ResponseHeaders}, body {RequestBody}")]
    private static partial void LogRequestDetail(ILogger logger, string requestMethod, string requestPath,
        Dictionary<string, string> requestHeaders, Dictionary<string, string> responseHeaders, string requestBody);

    private static Dictionary<string, string> Redact(IHeaderDictionary headers) =>
        headers.ToDictionary(h => h.Key, h => SensitiveHeaders.Contains(h.Key) ? "[REDACTED]" : h.Value.ToString());

    private static async Task<string> ReadBodyStartAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        var buffer = new byte[maxBytes];
        var read = await request.Body.ReadAtLeastAsync(buffer, maxBytes, throwOnEndOfStream: false, cancellationToken);
        request.Body.Position = 0;
        // FIX: credential-like fields of JSON and form bodies are redacted like credential headers, even when cut short.
        var text = RedactBody(Encoding.UTF8.GetString(buffer, 0, read));
        return read == maxBytes ? text + " [truncated]" : text;
    }

    // FIX: "password": "...", "api_key": "...", access_token=...: the value goes, the name stays, so the event still says what was sent.
    private static string RedactBody(string body) =>
        FormSecret().Replace(JsonSecret().Replace(body, "$1\"[REDACTED]\""), "$1[REDACTED]");

    private const string SecretName = @"[A-Za-z0-9_.\-]*(?:pass(?:word)?|passwd|pwd|secret|token|api[-_]?key|authorization|credential)[A-Za-z0-9_.\-]*";

    [GeneratedRegex("(\"" + SecretName + "\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JsonSecret();

    [GeneratedRegex("((?:^|&)" + SecretName + "=)[^&]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FormSecret();
}
