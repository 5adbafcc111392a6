using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab08.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab08.Broken.Marker))]
