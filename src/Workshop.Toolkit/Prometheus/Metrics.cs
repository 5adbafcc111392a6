using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Workshop.Toolkit.Prometheus;

/// <summary>One scrape of /metrics, with look-ups by name and labels.</summary>
public sealed class MetricsSnapshot(IReadOnlyList<MetricSample> samples)
{
    /// <summary>Every sample, in the order the service wrote them.</summary>
    public IReadOnlyList<MetricSample> Samples { get; } = samples;

    /// <summary>Parses Prometheus text.</summary>
    public static MetricsSnapshot Parse(string text) => new(PrometheusText.Parse(text));

    /// <summary>The distinct sample names.</summary>
    public IReadOnlyList<string> Names => Samples.Select(s => s.Name).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>True when at least one sample has this name.</summary>
    public bool Contains(string name) => Samples.Any(s => s.Name == name);

    /// <summary>The samples with this name whose labels include every given pair.</summary>
    public IEnumerable<MetricSample> Find(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Label(l.Key) == l.Value));

    /// <summary>
    /// The value of the first sample with this name whose labels include every given pair (other labels, such as
    /// <c>otel_scope_name</c>, are ignored), or null when there is none.
    /// </summary>
    public double? Value(string name, params (string Key, string Value)[] labels) =>
        Find(name, labels).Select(s => (double?)s.Value).FirstOrDefault();

    /// <summary>The sum over every label set of this name (0 when there is none): total requests across routes.</summary>
    public double Sum(string name) => Samples.Where(s => s.Name == name).Sum(s => s.Value);

    /// <summary>
    /// Estimates a quantile (0.99 for p99) of a histogram from its cumulative <c>baseName_bucket</c> samples, the way
    /// PromQL's <c>histogram_quantile</c> does: buckets of every matching label set are added up, and the value is
    /// interpolated linearly inside the bucket that holds the rank. Only as precise as the bucket bounds.
    /// Null when there are no buckets or no observations.
    /// </summary>
    public double? HistogramQuantile(string baseName, double quantile, params (string Key, string Value)[] labels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quantile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quantile, 1);
        var buckets = Find(baseName + "_bucket", labels)
            .Where(s => s.Label("le") is not null)
            .GroupBy(s => PrometheusText.ParseValue(s.Label("le")!))
            .Select(g => (UpperBound: g.Key, Count: g.Sum(s => s.Value)))
            .OrderBy(b => b.UpperBound)
            .ToList();
        if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].UpperBound)) return null;
        var total = buckets[^1].Count;
        if (total <= 0) return null;

        var rank = quantile * total;
        var (lowerBound, lowerCount) = (0.0, 0.0);
        foreach (var (upperBound, count) in buckets)
        {
            if (count >= rank)
            {
                // The rank is above every finite bound: all we know is "more than the largest bound".
                if (double.IsPositiveInfinity(upperBound)) return lowerBound;
                return count == lowerCount
                    ? upperBound
                    : lowerBound + (upperBound - lowerBound) * (rank - lowerCount) / (count - lowerCount);
            }

            (lowerBound, lowerCount) = (upperBound, count);
        }

        return null;
    }
}

/// <summary>Scrapes a service's /metrics.</summary>
public sealed class MetricsReader : IDisposable
{
    private readonly HttpClient _client;
    private readonly bool _ownsClient;

    /// <summary>Reads <c>/metrics</c> of the service at <paramref name="baseAddress"/>, with a client of its own.</summary>
    public MetricsReader(Uri baseAddress)
        : this(new HttpClient(new SocketsHttpHandler { UseProxy = false }), new Uri(baseAddress, "/metrics"), ownsClient: true)
    {
    }

    /// <summary>Reads <c>/metrics</c> relative to <paramref name="client"/>'s BaseAddress; the client stays the caller's.</summary>
    public MetricsReader(HttpClient client)
        : this(client, new Uri(client.BaseAddress ?? throw new ArgumentException("The client has no BaseAddress.", nameof(client)), "/metrics"), ownsClient: false)
    {
    }

    private MetricsReader(HttpClient client, Uri metricsUri, bool ownsClient)
    {
        _client = client;
        _ownsClient = ownsClient;
        MetricsUri = metricsUri;
    }

    /// <summary>The address scraped.</summary>
    public Uri MetricsUri { get; }

    /// <summary>
    /// How long a scrape may take (default 2 s). A broken service may answer /metrics late or never, and a watcher
    /// should say so rather than hang with it.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Scrapes once.</summary>
    /// <exception cref="TimeoutException">No answer within <see cref="Timeout"/>.</exception>
    /// <exception cref="HttpRequestException">Connection failure or a non-success status.</exception>
    /// <exception cref="FormatException">The answer is not Prometheus text.</exception>
    public async Task<MetricsSnapshot> ScrapeAsync(CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, MetricsUri);
        // The classic text format: what this parser reads (OpenMetrics adds exemplars and float timestamps).
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("text/plain; version=0.0.4"));
        try
        {
            using var response = await _client.SendAsync(request, timeout.Token).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return MetricsSnapshot.Parse(text);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{MetricsUri} did not answer within {Timeout.TotalMilliseconds:0} ms.", e);
        }
    }

    /// <summary>Disposes the client if this reader created it.</summary>
    public void Dispose()
    {
        if (_ownsClient) _client.Dispose();
    }
}

/// <summary>
/// Scrapes /metrics in the background at a fixed interval and keeps a time series per requested name (summed over
/// label sets), for charts of heap size, queue length or request counts over a load run. Failed scrapes (a stalled
/// service often cannot answer /metrics either) are counted, never thrown: that gap is part of the story.
/// </summary>
public sealed class MetricsSampler : IAsyncDisposable
{
    /// <summary>The interval when none is given.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(500);

    private readonly MetricsReader _reader;
    private readonly bool _ownsReader;
    private readonly Dictionary<string, List<(double SecondsSinceStart, double Value)>> _series;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _scrapes;
    private int _failures;
    private string? _lastError;

    private MetricsSampler(MetricsReader reader, bool ownsReader, TimeSpan interval, string[] names)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        if (names.Length == 0) throw new ArgumentException("Name at least one metric to sample.", nameof(names));
        _reader = reader;
        _ownsReader = ownsReader;
        _series = names.Distinct(StringComparer.Ordinal).ToDictionary(n => n, _ => new List<(double, double)>(), StringComparer.Ordinal);
        _loop = Task.Run(() => LoopAsync(interval));
    }

    /// <summary>Starts sampling <paramref name="names"/> at <c>baseAddress/metrics</c> every 500 ms.</summary>
    public static MetricsSampler Start(Uri baseAddress, params string[] names) => Start(baseAddress, DefaultInterval, names);

    /// <summary>Starts sampling <paramref name="names"/> at <c>baseAddress/metrics</c> every <paramref name="interval"/>.</summary>
    public static MetricsSampler Start(Uri baseAddress, TimeSpan interval, params string[] names) =>
        new(new MetricsReader(baseAddress), ownsReader: true, interval, names);

    /// <summary>Starts sampling through a reader of the caller's (to set its timeout); the reader stays the caller's.</summary>
    public static MetricsSampler Start(MetricsReader reader, TimeSpan interval, params string[] names) =>
        new(reader, ownsReader: false, interval, names);

    /// <summary>The sampled names.</summary>
    public IReadOnlyCollection<string> Names => _series.Keys;

    /// <summary>Scrapes attempted so far.</summary>
    public int Scrapes => Volatile.Read(ref _scrapes);

    /// <summary>Scrapes that failed (timeout, connection error, bad status or text).</summary>
    public int ScrapeFailures => Volatile.Read(ref _failures);

    /// <summary>Why the last failed scrape failed.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>
    /// The points so far: seconds since sampling started (when the scrape was sent) and the value summed over
    /// label sets. A scrape that failed, or that lacked the name, adds no point.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not being sampled.</exception>
    public IReadOnlyList<(double SecondsSinceStart, double Value)> Series(string name)
    {
        var series = _series.GetValueOrDefault(name)
            ?? throw new ArgumentException($"'{name}' is not sampled. Sampled: {string.Join(", ", _series.Keys)}.", nameof(name));
        lock (series) return series.ToArray();
    }

    /// <summary>The highest value so far, or null before the first point.</summary>
    public double? Peak(string name) => Series(name) is { Count: > 0 } s ? s.Max(p => p.Value) : null;

    /// <summary>The first value, or null before the first point.</summary>
    public double? First(string name) => Series(name) is { Count: > 0 } s ? s[0].Value : null;

    /// <summary>The latest value, or null before the first point.</summary>
    public double? Last(string name) => Series(name) is { Count: > 0 } s ? s[^1].Value : null;

    /// <summary>Stops sampling; the series stay readable. A scrape in progress is abandoned.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        if (_ownsReader) _reader.Dispose();
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                await ScrapeOnceAsync(clock.Elapsed.TotalSeconds).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task ScrapeOnceAsync(double seconds)
    {
        Interlocked.Increment(ref _scrapes);
        MetricsSnapshot snapshot;
        try
        {
            snapshot = await _reader.ScrapeAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failures);
            Volatile.Write(ref _lastError, string.Create(CultureInfo.InvariantCulture, $"{seconds:0.0} s: {e.Message}"));
            return;
        }

        foreach (var (name, series) in _series)
        {
            if (!snapshot.Contains(name)) continue;
            var value = snapshot.Sum(name);
            lock (series) series.Add((seconds, value));
        }
    }
}
