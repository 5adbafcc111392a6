using System.Text.Json;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Lab09.Orders;

/// <summary>
/// Takes the shop's <c>OrderPlaced</c> events off the <c>order-events</c> queue and reserves each order's stock in the
/// warehouse. A message is acknowledged once its stock is reserved, so an event is never lost to a crash in between.
/// </summary>
public sealed class OrderConsumer(BrokerConnection broker, Warehouse warehouse, OrderMetrics metrics, IOptions<LabOptions> options, ILogger<OrderConsumer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lab = options.Value;
        var queue = lab.Queue;
        var connection = await broker.ConnectAsync(stoppingToken);
        // FIX: handlers run Concurrency at a time, no more: the warehouse calls in flight are bounded too.
        var channelOptions = new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false,
            consumerDispatchConcurrency: (ushort)lab.Concurrency);
        await using var channel = await connection.CreateChannelAsync(channelOptions, stoppingToken);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: stoppingToken);
        // FIX: the broker sends at most Prefetch unacknowledged messages: the backlog stays in the queue, not in this heap.
        await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: (ushort)lab.Prefetch, global: false, stoppingToken);

        using var abandon = new CancellationTokenSource(); // FIX: cancelled when a stop's grace runs out, for the work still in hand.
        var inHand = new InHand(); // FIX: the events being handled, so a stop can wait for them.
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            // FIX: once stopping, start nothing: left unacknowledged, the event goes back to the queue when the channel closes.
            if (stoppingToken.IsCancellationRequested) return;
            using var held = inHand.Enter();
            metrics.Started();
            var processed = false;
            try
            {
                OrderPlaced? order;
                try
                {
                    order = JsonSerializer.Deserialize(delivery.Body.Span, OrderJson.Default.OrderPlaced);
                }
                catch (JsonException)
                {
                    order = null;
                }
                if (order is null)
                {
                    // FIX: an event no retry can handle is rejected (dead-lettered where the queue has a dead-letter exchange), not redelivered for ever.
                    logger.LogError("Order event {DeliveryTag} is not an order; rejected", delivery.DeliveryTag);
                    await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false, CancellationToken.None);
                    return;
                }
                await warehouse.ReserveAsync(order, abandon.Token); // FIX: abandoned when a stop's grace runs out.
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
                processed = true;
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
                // FIX: unacknowledged, the event is redelivered to the next consumer; the idempotency key makes that harmless.
            }
            catch (RabbitMQ.Client.Exceptions.AlreadyClosedException)
            {
                // FIX: the connection dropped before the acknowledgement: the broker redelivers the event; the idempotency key makes that harmless.
            }
            catch (HttpRequestException e)
            {
                // FIX: the warehouse failed: the event goes back to the queue, after a pause so a failing warehouse is not hammered.
                logger.LogWarning("The warehouse could not reserve order event {DeliveryTag} ({Error}); it goes back to the queue", delivery.DeliveryTag, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            }
            finally
            {
                metrics.Finished(processed);
            }
        };

        var consumerTag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, stoppingToken);
        logger.LogInformation("Consuming order events from {Queue}, {Prefetch} ahead, {Concurrency} at a time", queue, lab.Prefetch, lab.Concurrency);
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // FIX: a clean stop: no new deliveries, the events in hand finished and acknowledged within the grace, then the channel closed.
            if (channel.IsOpen) await channel.BasicCancelAsync(consumerTag, noWait: false, CancellationToken.None);
            if (!await inHand.IdleWithinAsync(TimeSpan.FromSeconds(lab.ShutdownGraceSeconds)))
            {
                logger.LogWarning("{Count} order events were still in hand after {Seconds} s; they go back to the queue", inHand.Count, lab.ShutdownGraceSeconds);
                await abandon.CancelAsync();
                await inHand.IdleWithinAsync(TimeSpan.FromSeconds(5));
            }
        }
    }

    // FIX: counts the events being handled, and tells a stop when there are none.
    private sealed class InHand
    {
        private readonly Lock _lock = new();
        private int _count;
        private TaskCompletionSource _idle = Idle();

        public int Count { get { lock (_lock) return _count; } }

        public IDisposable Enter()
        {
            lock (_lock)
            {
                if (_count++ == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            return new Exit(this);
        }

        public async Task<bool> IdleWithinAsync(TimeSpan timeout)
        {
            Task idle;
            lock (_lock) idle = _idle.Task;
            try
            {
                await idle.WaitAsync(timeout);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        private void Leave()
        {
            lock (_lock)
            {
                if (--_count == 0) _idle.TrySetResult();
            }
        }

        private static TaskCompletionSource Idle()
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done.SetResult();
            return done;
        }

        private sealed class Exit(InHand owner) : IDisposable
        {
            private int _done;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _done, 1) == 0) owner.Leave();
            }
        }
    }
}
