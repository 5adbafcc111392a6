using System.Diagnostics.Metrics;

namespace Lab08.Users;

/// <summary>The lookup API's own figures.</summary>
public sealed class UserMetrics
{
    public const string MeterName = "Lab08.Users";

    private readonly Counter<long> _lookups;
    private readonly Counter<long> _rejected;

    public UserMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _lookups = meter.CreateCounter<long>("users.lookups", "{lookup}", "User lookups, by outcome.");
        _rejected = meter.CreateCounter<long>("users.rejected", "{request}", "Requests rejected before any work, by the policy that rejected them.");
    }

    public void Looked(string outcome) => _lookups.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Rejected(string policy) => _rejected.Add(1, new KeyValuePair<string, object?>("policy", policy));
}
