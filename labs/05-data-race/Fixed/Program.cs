using Lab05;
using Lab05.Accounts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Workshop.ServiceKit;

var builder = WebApplication.CreateBuilder(args);

builder.AddWorkshopDefaults(WalletMetrics.MeterName);
builder.AddLabKnobs<LabOptions>().ValidateDataAnnotations();
builder.Services.AddProblemDetails();
builder.Services.TryAddSingleton(TimeProvider.System);
builder.Services.AddSingleton<WalletMetrics>();
builder.Services.AddSingleton<Ledger>();
builder.Services.AddSingleton<AccountStore>();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapWorkshopEndpoints();
app.MapAccounts();

app.Run();
