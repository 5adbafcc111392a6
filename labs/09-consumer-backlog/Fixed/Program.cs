using Lab09;
using Lab09.Orders;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(OrderMetrics.MeterName);
builder.AddLabKnobs<LabOptions>().ValidateDataAnnotations();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<OrderMetrics>();
builder.Services.AddSingleton<BrokerConnection>();
builder.Services.AddWarehouse();
builder.Services.AddHostedService<OrderConsumer>();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapWorkshopEndpoints();
app.MapOrders();

app.Run();
