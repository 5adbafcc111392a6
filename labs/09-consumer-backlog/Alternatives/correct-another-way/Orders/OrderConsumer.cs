using System.Text.Json;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Lab09.Orders;

/// <summary>
/// Pulls order events instead of having them pushed: <c>basic.get</c>, one message at a time, only when one of the
/// <c>Concurrency</c> handlers is free, so the consumer never holds more than it is working on. Manual acknowledgement
/// after the work; the warehouse call carries an idempotency key (Fixed's Warehouse.cs); a stop takes no new message
/// and waits for the ones in hand. Slower than a prefetch on a fast network (a round trip per message), simpler to
/// reason about.
/// </summary>
public sealed class OrderConsumer(BrokerConnection broker, Warehouse warehouse, OrderMetrics metrics, IOptions<LabOptions> options, ILogger<OrderConsumer> logger)
    : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lab = options.Value;
        var connection = await broker.ConnectAsync(stoppingToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
        await channel.QueueDeclareAsync(lab.Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: stoppingToken);

        using var free = new SemaphoreSlim(lab.Concurrency, lab.Concurrency);
        using var abandon = new CancellationTokenSource();
        var inHand = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await free.WaitAsync(stoppingToken);
                BasicGetResult? message;
                try
                {
                    message = await channel.BasicGetAsync(lab.Queue, autoAck: false, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    free.Release();
                    logger.LogWarning("No order event could be fetched ({Error}); trying again in a second", e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken); // the connection is recovering
                    continue;
                }
                if (message is null)
                {
                    free.Release();
                    await Task.Delay(IdlePoll, stoppingToken);
                    continue;
                }
                inHand.RemoveAll(t => t.IsCompleted);
                inHand.Add(HandleAsync(channel, message, free, abandon.Token));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        var all = Task.WhenAll(inHand);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(lab.ShutdownGraceSeconds), CancellationToken.None)) != all)
        {
            await abandon.CancelAsync();
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        }
    }

    private async Task HandleAsync(IChannel channel, BasicGetResult message, SemaphoreSlim free, CancellationToken abandon)
    {
        metrics.Started();
        var processed = false;
        try
        {
            OrderPlaced? order = null;
            try { order = JsonSerializer.Deserialize(message.Body.Span, OrderJson.Default.OrderPlaced); }
            catch (JsonException) { }
            if (order is null)
            {
                await channel.BasicRejectAsync(message.DeliveryTag, requeue: false, CancellationToken.None);
                return;
            }
            await warehouse.ReserveAsync(order, abandon);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, CancellationToken.None);
            processed = true;
        }
        catch (Exception e) when (e is OperationCanceledException or AlreadyClosedException or HttpRequestException)
        {
            // Unacknowledged: the broker gives it to the next consumer; the idempotency key makes that harmless.
            logger.LogWarning("Order event {DeliveryTag} left unacknowledged ({Error})", message.DeliveryTag, e.Message);
            if (e is HttpRequestException && channel.IsOpen)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            }
        }
        finally
        {
            metrics.Finished(processed);
            free.Release();
        }
    }
}
