using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab03.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab03.Broken.Marker))]
