#!/usr/bin/perl
# Writes small GeoIP databases in MaxMind's own GeoLite2/GeoIP2 schemas, for the
# GeoIP tests: OUTDIR/test-city.mmdb (GeoLite2-City) and OUTDIR/test-asn.mmdb
# (GeoLite2-ASN). Needs Debian's libmaxmind-db-writer-perl.
#
#   perl tests/geoip/make-test-databases.pl OUTDIR
#
# Networks (documentation and test ranges, so no real address is described):
#   81.2.69.0/24    London, England, United Kingdom       AS 64512 "Example ISP"
#   2001:db8::/32   Berlin, Land Berlin, Germany          AS 64513 "Example Carrier"
#   89.160.20.0/24  Sweden (no city)                      no ASN
#   192.0.2.0/24    a city named only in German (no English name), Germany
use strict;
use warnings;

use MaxMind::DB::Writer::Tree;

my $out = shift @ARGV or die "usage: $0 OUTDIR\n";

my %types = (
    city                           => 'map',
    continent                      => 'map',
    country                        => 'map',
    registered_country             => 'map',
    subdivisions                   => [ 'array', 'map' ],
    location                       => 'map',
    names                          => 'map',
    en                             => 'utf8_string',
    de                             => 'utf8_string',
    code                           => 'utf8_string',
    iso_code                       => 'utf8_string',
    geoname_id                     => 'uint32',
    latitude                       => 'double',
    longitude                      => 'double',
    accuracy_radius                => 'uint16',
    time_zone                      => 'utf8_string',
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
);

sub new_tree {
    my ($type) = @_;
    return MaxMind::DB::Writer::Tree->new(
        ip_version    => 6,
        record_size   => 28,
        database_type => $type,
        languages     => [ 'en', 'de' ],
        description   => { en => "rtcstream test database ($type)" },
        # The test networks are documentation ranges, which the writer drops by default.
        remove_reserved_networks => 0,
        # IPv4 lookups in an IPv6 tree also reach the networks through ::ffff:0:0/96.
        alias_ipv6_to_ipv4    => 1,
        map_key_type_callback => sub { $types{ $_[0] } },
    );
}

sub write_tree {
    my ( $tree, $path ) = @_;
    open my $fh, '>:raw', $path or die "cannot write $path: $!\n";
    $tree->write_tree($fh);
    close $fh or die "cannot write $path: $!\n";
}

my $uk = { geoname_id => 2635167, iso_code => 'GB', names => { en => 'United Kingdom', de => 'Vereinigtes Königreich' } };
my $de = { geoname_id => 2921044, iso_code => 'DE', names => { en => 'Germany', de => 'Deutschland' } };
my $se = { geoname_id => 2661886, iso_code => 'SE', names => { en => 'Sweden', de => 'Schweden' } };
my $europe = { code => 'EU', geoname_id => 6255148, names => { en => 'Europe', de => 'Europa' } };

my $city = new_tree('GeoLite2-City');
$city->insert_network(
    '81.2.69.0/24',
    {
        city         => { geoname_id => 2643743, names => { en => 'London', de => 'London' } },
        continent    => $europe,
        country      => $uk,
        subdivisions => [ { geoname_id => 6269131, iso_code => 'ENG', names => { en => 'England' } } ],
        location     => { latitude => 51.5142, longitude => -0.0931, accuracy_radius => 10, time_zone => 'Europe/London' },
    }
);
$city->insert_network(
    '2001:db8::/32',
    {
        city         => { geoname_id => 2950159, names => { en => 'Berlin', de => 'Berlin' } },
        continent    => $europe,
        country      => $de,
        subdivisions => [ { geoname_id => 2950157, iso_code => 'BE', names => { en => 'Land Berlin' } } ],
        location     => { latitude => 52.5244, longitude => 13.4105, accuracy_radius => 20, time_zone => 'Europe/Berlin' },
    }
);
$city->insert_network( '89.160.20.0/24', { continent => $europe, country => $se } );
$city->insert_network(
    '192.0.2.0/24',
    {
        city    => { geoname_id => 2925533, names => { de => 'Frankfurt am Main' } },
        country => $de,
    }
);
write_tree( $city, "$out/test-city.mmdb" );

my $asn = new_tree('GeoLite2-ASN');
$asn->insert_network( '81.2.69.0/24',  { autonomous_system_number => 64512, autonomous_system_organization => 'Example ISP' } );
$asn->insert_network( '2001:db8::/32', { autonomous_system_number => 64513, autonomous_system_organization => 'Example Carrier' } );
write_tree( $asn, "$out/test-asn.mmdb" );
