namespace Lab02.Reports;

public sealed record ReportInfo(int Id, string Title, string Region, DateOnly From, DateOnly To);

public sealed record ReportPage(int Offset, int Limit, int Total, IReadOnlyList<ReportInfo> Items);

/// <summary>The reports the service can render, in memory: the lab is about what happens around a render, not storage.</summary>
public sealed class ReportCatalog
{
    public const int Count = 500;

    private static readonly string[] Regions = ["North", "South", "East", "West", "Central"];
    private readonly ReportInfo[] _reports;

    public ReportCatalog()
    {
        var firstWeek = new DateOnly(2025, 1, 6);
        _reports = new ReportInfo[Count];
        for (var i = 0; i < Count; i++)
        {
            var region = Regions[i % Regions.Length];
            var from = firstWeek.AddDays(7 * (i / Regions.Length));
            _reports[i] = new ReportInfo(i + 1, $"Weekly sales, {region}, week of {from:yyyy-MM-dd}", region, from, from.AddDays(6));
        }
    }

    public ReportInfo? Find(int id) => id is >= 1 and <= Count ? _reports[id - 1] : null;

    public ReportPage Page(int offset, int limit) => new(offset, limit, Count, _reports.Skip(offset).Take(limit).ToList());
}
