using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lab07.Data;

/// <summary>Ready when the database answers: takes a connection from the pool and gives it back.</summary>
public sealed class DatabaseHealthCheck(ShopDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        return HealthCheckResult.Healthy($"{session.Products().Count} products");
    }
}
