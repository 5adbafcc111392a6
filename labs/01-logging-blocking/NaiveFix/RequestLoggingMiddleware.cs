using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Lab01;

/// <summary>
/// Writes one line per request to <c>requests.log</c>: when, what was asked, what was answered, how long it
/// took, and the headers and body, so that any request can be replayed from the log.
/// </summary>
public sealed class RequestLoggingMiddleware
{
    public const string MeterName = "Lab01.RequestLog";

    private readonly RequestDelegate _next;
    private readonly StreamWriter _writer;
    private readonly Counter<long> _written;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    public RequestLoggingMiddleware(RequestDelegate next, IOptionsMonitor<LabOptions> options, IMeterFactory meterFactory)
    {
        _next = next;
        var lab = options.CurrentValue;
        var disk = SlowDisk.Following(options);
        _writer = new StreamWriter(disk.OpenAppend(Path.Combine(lab.LogDirectory, "requests.log")), Encoding.UTF8);
        var meter = meterFactory.Create(MeterName);
        _written = meter.CreateCounter<long>("log.events.written", "{event}", "Request log lines written.");
        meter.CreateObservableGauge("log.queue.length", () => _lines.Reader.Count, "{event}", "Request log lines waiting to be written.");
        // Requests no longer wait for the disk: a single background writer drains the queue in order.
        _ = Task.Run(WriteLinesAsync);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        request.EnableBuffering();
        var body = await new StreamReader(request.Body, Encoding.UTF8, leaveOpen: true).ReadToEndAsync(context.RequestAborted);
        request.Body.Position = 0;

        await _next(context);

        var elapsed = Stopwatch.GetElapsedTime(started);
        var line = new StringBuilder()
            .Append(DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss.fff")).Append(" INFO ")
            .Append(request.Method).Append(' ').Append(request.Path).Append(request.QueryString)
            .Append(" -> ").Append(context.Response.StatusCode)
            .Append(" in ").Append(elapsed.TotalMilliseconds.ToString("0.0")).Append(" ms")
            .Append(" | headers: ").AppendJoin("; ", request.Headers.Select(h => $"{h.Key}: {h.Value}"))
            .Append(" | body: ").Append(body)
            .ToString();

        _lines.Writer.TryWrite(line);
    }

    private async Task WriteLinesAsync()
    {
        await foreach (var line in _lines.Reader.ReadAllAsync())
        {
            _writer.WriteLine(line);
            _writer.Flush();
            _written.Add(1);
        }
    }
}
