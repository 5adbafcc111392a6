using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Core;
using Serilog.Extensions.Logging;
using Serilog.Sinks.Async;
using Serilog.Sinks.File;
using Serilog.Templates;

namespace Lab01;

// FIX: this whole file is the fix's sink: Serilog, JSON, a bounded buffer, rotation and retention.

/// <summary>How the request log is kept. Not incident knobs: these are the fix's own settings.</summary>
public sealed class RequestLogOptions
{
    public const string Section = "RequestLog";

    /// <summary>Events held in memory while the disk is slow; past this, new events are dropped and counted.</summary>
    public int BufferCapacity { get; set; } = 1_000;

    /// <summary>Files older than this are deleted even when fewer than <c>Lab:LogRetainedFiles</c> exist.</summary>
    public TimeSpan RetainedFileTimeLimit { get; set; } = TimeSpan.FromDays(7);

    /// <summary>At Debug, how much of a request body is logged.</summary>
    public int MaxBodyBytes { get; set; } = 4_096;

    /// <summary>How long shutdown waits for buffered events to reach the disk before it gives up on them.</summary>
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>The Serilog pipeline behind the request log, and the figures it reports on /metrics.</summary>
public sealed class RequestLogSink : IAsyncLogEventSinkMonitor, IAsyncDisposable
{
    private readonly Logger _logger;
    private readonly TimeSpan _shutdownFlushTimeout;
    private IAsyncLogEventSinkInspector? _buffer;

    public RequestLogSink(IOptionsMonitor<LabOptions> lab, IOptions<RequestLogOptions> options, IMeterFactory meterFactory)
    {
        var o = options.Value;
        _shutdownFlushTimeout = o.ShutdownFlushTimeout;
        var meter = meterFactory.Create(RequestLoggingMiddleware.MeterName);
        var written = meter.CreateCounter<long>("log.events.written", "{event}", "Request log events written to the disk.");
        var file = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.File(
                // CLEF (compact JSON), with the level written out even for Information.
                new ExpressionTemplate("{ {@t: UtcDateTime(@t), @l: @l, @mt: @mt, @tr: @tr, @sp: @sp, @x: @x, ..@p} }\n"),
                Path.Combine(lab.CurrentValue.LogDirectory, "requests-.json"),
                // A file rolls over when it reaches the size limit, and at midnight; the oldest files beyond the count go.
                fileSizeLimitBytes: lab.CurrentValue.LogFileSizeLimitBytes,
                rollOnFileSizeLimit: true,
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: lab.CurrentValue.LogRetainedFiles,
                retainedFileTimeLimit: o.RetainedFileTimeLimit,
                hooks: new OnSlowDisk(SlowDisk.Following(lab))) // FIX: the sink writes to the lab's slow disk, as Broken's writer did
            .CreateLogger();
        _logger = new LoggerConfiguration()
            .MinimumLevel.Verbose() // the Logging section decides levels, as for every other provider
            .WriteTo.Async(sink => sink.Sink(new CountingSink(file, written)),
                bufferSize: o.BufferCapacity,
                blockWhenFull: false,
                monitor: this)
            .CreateLogger();

        meter.CreateObservableGauge("log.queue.length", () => _buffer?.Count ?? 0, "{event}", "Request log events waiting to be written.");
        meter.CreateObservableGauge("log.queue.capacity", () => o.BufferCapacity, "{event}", "Request log events the buffer holds at most.");
        meter.CreateObservableCounter("log.events.dropped", () => _buffer?.DroppedMessagesCount ?? 0, "{event}", "Request log events dropped because the buffer was full.");
    }

    public ILoggerProvider CreateProvider() => new SerilogLoggerProvider(_logger, dispose: false);

    void IAsyncLogEventSinkMonitor.StartMonitoring(IAsyncLogEventSinkInspector inspector) => _buffer = inspector;

    void IAsyncLogEventSinkMonitor.StopMonitoring(IAsyncLogEventSinkInspector inspector) => _buffer = null;

    /// <summary>Flushes what the disk accepts within the timeout, so a stalled disk cannot hold shutdown hostage.</summary>
    public async ValueTask DisposeAsync()
    {
        var pending = _buffer?.Count ?? 0;
        // Its own thread: at shutdown the thread pool may be the thing that is short.
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() => { _logger.Dispose(); flushed.SetResult(); }) { IsBackground = true, Name = "request log flush" }.Start();
        if (await Task.WhenAny(flushed.Task, Task.Delay(_shutdownFlushTimeout)) != flushed.Task)
        {
            await Console.Error.WriteLineAsync(
                $"request log: the disk did not take {pending} buffered events within {_shutdownFlushTimeout.TotalSeconds:0.#} s; giving up on them.");
        }
    }
}

/// <summary>Counts the events that reached the file, on the writer thread, so /metrics shows what was kept beside what was dropped.</summary>
internal sealed class CountingSink(Logger file, Counter<long> written) : ILogEventSink, IDisposable
{
    public void Emit(Serilog.Events.LogEvent logEvent)
    {
        file.Write(logEvent);
        written.Add(1);
    }

    public void Dispose() => file.Dispose();
}

// FIX: Serilog opens the file itself; the hook puts the lab's slow disk under it, so Fixed writes to the disk Broken did
internal sealed class OnSlowDisk(SlowDisk disk) : FileLifecycleHooks
{
    public override Stream OnFileOpened(string path, Stream underlyingStream, System.Text.Encoding encoding) => disk.Wrap(underlyingStream);
}

public static class RequestLogExtensions
{
    public static WebApplicationBuilder AddRequestLog(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<RequestLogOptions>(builder.Configuration.GetSection(RequestLogOptions.Section));
        // Serilog writes the trace and span ids itself (@tr, @sp); the same ids as scope properties would double them.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.None);
        builder.Services.AddSingleton<RequestLogSink>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<RequestLogSink>().CreateProvider());
        return builder;
    }
}
