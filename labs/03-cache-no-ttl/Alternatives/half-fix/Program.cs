using Lab03;
using Lab03.Prices;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(PriceSource.MeterName);
builder.AddLabKnobs<LabOptions>();
builder.Services.AddProblemDetails();
builder.Services.TryAddSingleton(TimeProvider.System);
builder.Services.AddSingleton<PriceSource>();
builder.AddPriceCache(); // half-fix: entries that expire, on the injected clock

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapWorkshopEndpoints();
app.MapPrices();

app.Run();
