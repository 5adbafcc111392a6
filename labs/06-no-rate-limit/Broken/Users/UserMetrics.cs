using System.Diagnostics.Metrics;

namespace Lab06.Users;

/// <summary>The lookup API's own figures.</summary>
public sealed class UserMetrics
{
    public const string MeterName = "Lab06.Users";

    private readonly Counter<long> _lookups;

    public UserMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _lookups = meter.CreateCounter<long>("users.lookups", "{lookup}", "User lookups, by outcome.");
    }

    public void Looked(string outcome) => _lookups.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
