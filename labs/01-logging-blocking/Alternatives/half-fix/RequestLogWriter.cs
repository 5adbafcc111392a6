using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Lab01;

// half-fix: the disk is off the request path while the buffer has room; a bounded channel's default, when it is full,
// is to wait for room, so a disk that stays slow puts every request behind it again, and nothing is lost to say so.

/// <summary>
/// The request log's own writer: a bounded channel drained by one thread of its own that writes one JSON line per
/// event to files that roll at <c>Lab:LogFileSizeLimitBytes</c>, keeping the newest <c>Lab:LogRetainedFiles</c>.
/// </summary>
public sealed class RequestLogWriter : IDisposable
{
    private const int Capacity = 1_000;
    private readonly Channel<byte[]> _events;
    private readonly Thread _thread;
    private readonly LabOptions _options;
    private readonly SlowDisk _disk;
    private readonly Counter<long> _written;
    private int _file;
    private Stream? _stream;

    public RequestLogWriter(IOptionsMonitor<LabOptions> options, IMeterFactory meterFactory)
    {
        _options = options.CurrentValue;
        _disk = SlowDisk.Following(options);
        Directory.CreateDirectory(_options.LogDirectory);
        _file = Files().Select(f => int.Parse(Path.GetFileNameWithoutExtension(f)["requests-".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0).Max();
        _events = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Capacity) { SingleReader = true });
        var meter = meterFactory.Create(RequestLoggingMiddleware.MeterName);
        _written = meter.CreateCounter<long>("log.events.written", "{event}", "Request log events written to the disk.");
        meter.CreateObservableGauge("log.queue.length", () => _events.Reader.Count, "{event}", "Request log events waiting for the disk.");
        _thread = new Thread(Drain) { IsBackground = true, Name = "request log writer" };
        _thread.Start();
    }

    /// <summary>Queues an event for the disk; no event is ever lost.</summary>
    public ValueTask WriteAsync(byte[] jsonLine) => _events.Writer.WriteAsync(jsonLine);

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
