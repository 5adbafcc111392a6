using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Compact;
using ZLogger;
using ILogger = Microsoft.Extensions.Logging.ILogger;

namespace Lab01.Benchmarks;

/// <summary>
/// The request log's pipeline alone, without a request: the event the fixed middleware writes per request, through
/// <see cref="Pipeline"/>: the fix as it is (Serilog, expression template, async bounded buffer, rolling file), Serilog
/// with its compact JSON formatter in the same place, ZLogger's JSON formatter with its bounded background buffer, and
/// Serilog's JSON formatter behind a buffer its writer empties in batches (<see cref="BatchedWriter"/>).
/// Each invocation writes a batch of <see cref="Batch"/> events on the benchmark's thread (the request path); between
/// invocations the writer drains the batch to the file, so nothing is dropped and every event is formatted and
/// written. The time is the request path's; after the run, the log prints each event's allocations on the request path
/// and on the writer thread, measured apart.
/// </summary>
[MemoryDiagnoser]
public partial class LogPipelineBenchmarks
{
    public const int Batch = 500;

    [Params("Fixed: Serilog, expression template", "Serilog, compact JSON", "Serilog, compact JSON, buffered", "ZLogger, JSON", "Serilog, JSON, batched")]
    public string Pipeline { get; set; } = "";

    private RequestLogPipeline _pipeline = null!;
    private long _written;
    private long _requestPathBytes;
    private long _writerBytes;
    private long _batches;
    private long _threadBefore;
    private long _totalBefore;

    [GlobalSetup]
    public void Setup()
    {
        _pipeline = RequestLogPipeline.Create(Pipeline);
        // JIT and the file's first writes outside the measurement.
        for (var i = 0; i < 20; i++)
        {
            WriteBatch();
            _pipeline.WaitForLines(_written); // a batch at a time: the buffer holds 1,000 events, and drops beyond
        }
    }

    [IterationSetup]
    public void BeforeBatch()
    {
        _threadBefore = GC.GetAllocatedBytesForCurrentThread();
        _totalBefore = GC.GetTotalAllocatedBytes(precise: true);
    }

    /// <summary>One batch of the fixed middleware's event, as many requests would write it.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void Events() => WriteBatch();

    [IterationCleanup]
    public void AfterBatch()
    {
        var requestPath = GC.GetAllocatedBytesForCurrentThread() - _threadBefore;
        _pipeline.WaitForLines(_written);
        // Whatever this thread allocated while waiting is its own; the rest of the process's growth is the writer's.
        var thisThread = GC.GetAllocatedBytesForCurrentThread() - _threadBefore;
        var total = GC.GetTotalAllocatedBytes(precise: true) - _totalBefore;
        _requestPathBytes += requestPath;
        _writerBytes += Math.Max(0, total - thisThread);
        _batches++;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var events = (double)_batches * Batch;
        var bytesOnDisk = _pipeline.BytesOnDisk();
        var lines = _pipeline.Lines();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {Pipeline}: {events:N0} measured events; request path {_requestPathBytes / events:N0} B an event, writer thread {_writerBytes / events:N0} B an event; " +
            $"{lines:N0} lines on disk (warm-up included: every event written), {bytesOnDisk / Math.Max(1.0, lines):N0} B a line"));
        Console.WriteLine($"// {Pipeline}, a line: {_pipeline.FirstLine()}");
        _pipeline.Dispose();
    }

    private void WriteBatch()
    {
        var logger = _pipeline.Logger;
        for (var i = 0; i < Batch; i++) LogRequest(logger, "GET", "/api/orders/42", 200, 0.1234);
        _written += Batch;
    }

    // The fixed middleware's event, as it declares it (Fixed/RequestLoggingMiddleware.cs).
    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {ElapsedMs} ms")]
    private static partial void LogRequest(ILogger logger, string requestMethod, string requestPath, int statusCode, double elapsedMs);
}

/// <summary>One request-log pipeline behind an <see cref="ILogger"/>, writing JSON lines to files in a temporary directory.</summary>
internal sealed class RequestLogPipeline : IDisposable
{
    private readonly ILoggerFactory _factory;
    private readonly string _directory;
    private readonly IDisposable? _owned;
    private bool _ownsDirectory;

    private RequestLogPipeline(ILoggerFactory factory, string directory, IDisposable? owned)
    {
        _factory = factory;
        _directory = directory;
        _owned = owned;
        Logger = factory.CreateLogger("Lab01.RequestLoggingMiddleware");
    }

    public ILogger Logger { get; }

    /// <summary>The buffer each pipeline holds while the disk is behind, as the fixed service's.</summary>
    public const int BufferCapacity = 1_000;

    /// <summary>A logger of <paramref name="category"/> on this pipeline.</summary>
    public ILogger CreateLogger(string category) => _factory.CreateLogger(category);

    /// <summary>The pipeline called <paramref name="name"/>, writing to <paramref name="directory"/> (a new temporary one by default, removed on dispose).</summary>
    public static RequestLogPipeline Create(string name, string? directory = null)
    {
        var owns = directory is null;
        directory ??= Directory.CreateTempSubdirectory("lab01-log-pipeline-").FullName;
        var pipeline = Build(name, directory);
        pipeline._ownsDirectory = owns;
        return pipeline;
    }

    private static RequestLogPipeline Build(string name, string directory)
    {
        switch (name)
        {
            case "Fixed: Serilog, expression template":
            {
                // The fixed service's own sink, as its DI container builds it.
                var services = new ServiceCollection().AddMetrics()
                    .Configure<LabOptions>(o => (o.LogDirectory, o.LogSinkDelayMs, o.LogFileSizeLimitBytes) = (directory, 0, 1L << 30))
                    .BuildServiceProvider();
                var sink = new RequestLogSink(
                    services.GetRequiredService<IOptionsMonitor<LabOptions>>(),
                    Options.Create(new RequestLogOptions { BufferCapacity = BufferCapacity }),
                    services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
                var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(sink.CreateProvider()));
                return new RequestLogPipeline(factory, directory, new Disposables(() => sink.DisposeAsync().AsTask().Wait(), services.Dispose));
            }
            case "Serilog, compact JSON":
            case "Serilog, compact JSON, buffered":
            {
                // Buffered: the file sink writes through a buffer flushed every second, not once an event.
                var buffered = name.EndsWith("buffered", StringComparison.Ordinal);
                var serilog = new LoggerConfiguration()
                    .MinimumLevel.Verbose()
                    .WriteTo.Async(a => a.File(new CompactJsonFormatter(), Path.Combine(directory, "requests-.json"),
                            fileSizeLimitBytes: 1L << 30, rollOnFileSizeLimit: true, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 10,
                            buffered: buffered, flushToDiskInterval: buffered ? TimeSpan.FromSeconds(1) : null),
                        bufferSize: BufferCapacity, blockWhenFull: false)
                    .CreateLogger();
                var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(new SerilogLoggerProvider(serilog, dispose: true)));
                return new RequestLogPipeline(factory, directory, null);
            }
            case "Serilog, JSON, batched":
            case "Serilog, JSON, batched, no scopes":
            {
                var file = new LoggerConfiguration()
                    .MinimumLevel.Verbose()
                    .WriteTo.File(new Serilog.Formatting.Json.JsonFormatter(closingDelimiter: "\n"), Path.Combine(directory, "requests-.json"),
                        fileSizeLimitBytes: 1L << 30, rollOnFileSizeLimit: true, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 10,
                        buffered: true, flushToDiskInterval: TimeSpan.FromSeconds(1))
                    .CreateLogger();
                var batched = new BatchedWriter(file, BufferCapacity, TimeSpan.FromMilliseconds(200));
                var serilog = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(batched).CreateLogger();
                var noScopes = name.EndsWith("no scopes", StringComparison.Ordinal);
                var factory = LoggerFactory.Create(b =>
                {
                    b.SetMinimumLevel(LogLevel.Information).AddProvider(new SerilogLoggerProvider(serilog, dispose: true));
                    if (noScopes) b.Services.Configure<LoggerFilterOptions>(o => o.CaptureScopes = false);
                });
                return new RequestLogPipeline(factory, directory, batched);
            }
            case "Serilog, no sink":
            {
                // A probe: the event made, through Microsoft.Extensions.Logging, and thrown away at once.
                var serilog = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(new LoggerConfiguration().CreateLogger()).CreateLogger();
                var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(new SerilogLoggerProvider(serilog, dispose: true)));
                return new RequestLogPipeline(factory, directory, null);
            }
            case "ZLogger, JSON":
            {
                var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddZLoggerRollingFile(o =>
                {
                    o.FilePathSelector = (timestamp, sequence) => Path.Combine(directory, $"requests-{timestamp.UtcDateTime:yyyyMMdd}_{sequence:000}.json");
                    o.RollingInterval = ZLogger.Providers.RollingInterval.Day;
                    o.RollingSizeKB = 1024 * 1024;
                    o.UseJsonFormatter();
                    o.FullMode = BackgroundBufferFullMode.Drop;
                    o.BackgroundBufferCapacity = BufferCapacity;
                }));
                return new RequestLogPipeline(factory, directory, null);
            }
            default:
                throw new ArgumentException($"No request-log pipeline named '{name}'.", nameof(name));
        }
    }

    /// <summary>Waits until the files hold <paramref name="lines"/> lines: the writer has formatted and written every event.</summary>
    public void WaitForLines(long lines)
    {
        var waited = Stopwatch.StartNew();
        while (Lines() < lines)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
                throw new TimeoutException($"The request log holds {Lines():N0} lines after 30 s; {lines:N0} events were written: the pipeline dropped some.");
            Thread.Sleep(1);
        }
    }

    public long Lines()
    {
        long lines = 0;
        Span<byte> buffer = stackalloc byte[16 * 1024];
        foreach (var file in Directory.GetFiles(_directory))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            int read;
            while ((read = stream.Read(buffer)) > 0) lines += buffer[..read].Count((byte)'\n');
        }
        return lines;
    }

    public long BytesOnDisk() => Directory.GetFiles(_directory).Sum(f => new FileInfo(f).Length);

    public string FirstLine()
    {
        var file = Directory.GetFiles(_directory).Order(StringComparer.Ordinal).FirstOrDefault();
        if (file is null) return "(none)";
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadLine() ?? "(empty)";
    }

    public void Dispose()
    {
        _factory.Dispose();
        _owned?.Dispose();
        if (!_ownsDirectory) return;
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }

    private sealed class Disposables(params Action[] actions) : IDisposable
    {
        public void Dispose()
        {
            foreach (var action in actions) action();
        }
    }
}
