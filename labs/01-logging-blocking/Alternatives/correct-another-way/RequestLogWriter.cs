using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Lab01;

/// <summary>
/// The request log's own writer, by hand instead of Serilog: a bounded channel that drops (and counts) what does not
/// fit, drained by one thread of its own that writes one JSON line per event to files that roll at
/// <c>Lab:LogFileSizeLimitBytes</c>, keeping the newest <c>Lab:LogRetainedFiles</c>.
/// </summary>
public sealed class RequestLogWriter : IDisposable
{
    private const int Capacity = 1_000;
    private readonly Channel<byte[]> _events;
    private readonly Thread _thread;
    private readonly LabOptions _options;
    private readonly SlowDisk _disk;
    private readonly Counter<long> _written;
    private long _dropped;
    private int _file;
    private Stream? _stream;

    public RequestLogWriter(IOptionsMonitor<LabOptions> options, IMeterFactory meterFactory)
    {
        _options = options.CurrentValue;
        _disk = SlowDisk.Following(options);
        Directory.CreateDirectory(_options.LogDirectory);
        _file = Files().Select(f => int.Parse(Path.GetFileNameWithoutExtension(f)["requests-".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0).Max();
        _events = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
        var meter = meterFactory.Create(RequestLoggingMiddleware.MeterName);
        _written = meter.CreateCounter<long>("log.events.written", "{event}", "Request log events written to the disk.");
        meter.CreateObservableCounter("log.events.dropped", () => Interlocked.Read(ref _dropped), "{event}", "Request log events dropped: the buffer was full.");
        meter.CreateObservableGauge("log.queue.length", () => _events.Reader.Count, "{event}", "Request log events waiting for the disk.");
        _thread = new Thread(Drain) { IsBackground = true, Name = "request log writer" };
        _thread.Start();
    }

    /// <summary>Never waits: an event that does not fit is dropped and counted.</summary>
    public void Write(byte[] jsonLine) => _events.Writer.TryWrite(jsonLine);

    public void Dispose()
    {
        _events.Writer.TryComplete();
        _thread.Join(TimeSpan.FromSeconds(2)); // a stalled disk must not hold shutdown hostage
    }

    private void Drain()
    {
        while (_events.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (_events.Reader.TryRead(out var line))
            {
                var stream = _stream ??= Open();
                stream.Write(line);
                stream.Flush();
                _written.Add(1);
                if (stream.Length >= _options.LogFileSizeLimitBytes) Roll();
            }
        }
        _stream?.Dispose();
    }

    private Stream Open() => _disk.OpenAppend(Path.Combine(_options.LogDirectory, $"requests-{++_file:D5}.jsonl"));

    private void Roll()
    {
        _stream?.Dispose();
        _stream = null;
        foreach (var old in Files().Order(StringComparer.Ordinal).SkipLast(Math.Max(1, _options.LogRetainedFiles - 1))) File.Delete(old);
    }

    private IEnumerable<string> Files() => Directory.EnumerateFiles(_options.LogDirectory, "requests-*.jsonl");
}
