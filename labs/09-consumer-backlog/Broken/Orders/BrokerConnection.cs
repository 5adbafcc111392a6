using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Lab09.Orders;

/// <summary>
/// The service's one connection to RabbitMQ: opened on first use, retried until the broker answers (the service starts
/// whether or not the broker is up), and recovered by the client, channels and consumers with it, when it drops.
/// </summary>
public sealed class BrokerConnection(IOptions<LabOptions> options, ILogger<BrokerConnection> logger) : IAsyncDisposable
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);
    private IConnection? _connection;

    public bool IsConnected => _connection is { IsOpen: true };

    public async Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            Uri = options.Value.Broker,
            ClientProvidedName = "order-events-consumer",
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = RetryEvery,
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _connection = await factory.CreateConnectionAsync(ct);
                logger.LogInformation("Connected to the broker at {Host}:{Port}", options.Value.Broker.Host, options.Value.Broker.Port);
                return _connection;
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException && !ct.IsCancellationRequested)
            {
                if (attempt == 1 || attempt % 30 == 0)
                    logger.LogWarning("The broker at {Host}:{Port} does not answer ({Error}); trying again every {Seconds} s", options.Value.Broker.Host, options.Value.Broker.Port, e.Message, RetryEvery.TotalSeconds);
                await Task.Delay(RetryEvery, ct);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
