using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lab01;

/// <summary>
/// One JSON event per request, handed to <see cref="RequestLogWriter"/>, which owns the disk: what was asked, what
/// was answered, how long it took, under which trace; at Debug, also the headers and the start of the body, with
/// credentials taken out.
/// </summary>
public sealed partial class RequestLoggingMiddleware(RequestDelegate next, RequestLogWriter log, ILogger<RequestLoggingMiddleware> logger)
{
    public const string MeterName = "Lab01.RequestLog";
    private const int MaxBodyBytes = 4_096;
    private static readonly string[] SecretHeaders = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"];

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var debug = logger.IsEnabled(LogLevel.Debug);
        var body = debug ? await ReadBodyAsync(context.Request, context.RequestAborted) : null;

        await next(context);

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", DateTimeOffset.UtcNow);
            json.WriteString("level", "Information");
            json.WriteString("method", context.Request.Method);
            json.WriteString("path", context.Request.Path.Value ?? "/");
            json.WriteNumber("status", context.Response.StatusCode);
            json.WriteNumber("durationMs", Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3));
            json.WriteString("traceId", Activity.Current?.TraceId.ToHexString());
            if (debug)
            {
                json.WriteStartObject("headers");
                foreach (var (name, value) in context.Request.Headers)
                    json.WriteString(name, SecretHeaders.Contains(name, StringComparer.OrdinalIgnoreCase) ? "***" : value.ToString());
                json.WriteEndObject();
                json.WriteString("body", body);
            }
            json.WriteEndObject();
        }
        await log.WriteAsync([.. buffer.WrittenSpan, (byte)'\n']);
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        var bytes = new byte[MaxBodyBytes];
        var read = await request.Body.ReadAtLeastAsync(bytes, MaxBodyBytes, throwOnEndOfStream: false, ct);
        request.Body.Position = 0;
        var text = Encoding.UTF8.GetString(bytes, 0, read);
        return Form().Replace(Json().Replace(text, "$1\"***\""), "$1***");
    }

    [GeneratedRegex("(\"[\\w.-]*(?:pass|pwd|secret|token|api[-_]?key)[\\w.-]*\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"?", RegexOptions.IgnoreCase)]
    private static partial Regex Json();

    [GeneratedRegex("((?:^|&)[\\w.-]*(?:pass|pwd|secret|token|api[-_]?key)[\\w.-]*=)[^&]*", RegexOptions.IgnoreCase)]
    private static partial Regex Form();
}
