using System.Diagnostics.Metrics;

namespace Lab04.Weather;

/// <summary>The gateway's own figure: calls to the weather provider, by outcome.</summary>
public sealed class WeatherMetrics
{
    public const string MeterName = "Lab04.Weather";

    private readonly Counter<long> _calls;

    public WeatherMetrics(IMeterFactory meterFactory) =>
        _calls = meterFactory.Create(MeterName).CreateCounter<long>("weather.provider.calls", "{call}", "Calls to the weather provider, by outcome.");

    /// <summary>Counts one call: <c>ok</c>, <c>failed</c> (an error status or a broken connection) or <c>timeout</c>.</summary>
    public void Called(string outcome) => _calls.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
