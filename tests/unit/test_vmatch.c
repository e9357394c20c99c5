/* The listed-vessel matching rule (sanctwatch/vmatch.h): identifiers match, names need
 * corroboration; small craft, far smaller ships and ships with another IMO are ruled out. */
#include "testutil.h"

#include "sanctwatch/vmatch.h"

#include <math.h>

static struct sw_vmatch_listed tanker(void)
{
    struct sw_vmatch_listed l = {9123455, 0, SW_VC_TANKER, NAN};
    l.length_m = sw_listed_length_m("105,000", NULL);
    return l;
}

static void classes(void **state)
{
    (void)state;
    assert_int_equal(sw_vclass_of_ais(84), SW_VC_TANKER);
    assert_int_equal(sw_vclass_of_ais(70), SW_VC_CARGO);
    assert_int_equal(sw_vclass_of_ais(37), SW_VC_PLEASURE);
    assert_int_equal(sw_vclass_of_ais(36), SW_VC_PLEASURE);
    assert_int_equal(sw_vclass_of_ais(52), SW_VC_TUG);
    assert_int_equal(sw_vclass_of_ais(50), SW_VC_SERVICE);
    assert_int_equal(sw_vclass_of_ais(0), SW_VC_UNKNOWN);
    assert_int_equal(sw_vclass_of_ais(99), SW_VC_UNKNOWN);
    assert_int_equal(sw_vclass_of_list("Crude Oil Tanker"), SW_VC_TANKER);
    assert_int_equal(sw_vclass_of_list("Bulk Carrier"), SW_VC_CARGO);
    assert_int_equal(sw_vclass_of_list("General Cargo"), SW_VC_CARGO);
    assert_int_equal(sw_vclass_of_list("Fish Carrier"), SW_VC_CARGO);
    assert_int_equal(sw_vclass_of_list("Fishing Vessel"), SW_VC_FISHING);
    assert_int_equal(sw_vclass_of_list("Yacht"), SW_VC_PLEASURE);
    assert_int_equal(sw_vclass_of_list("Offshore Tug/Supply Ship"), SW_VC_TUG);
    assert_int_equal(sw_vclass_of_list("Research Vessel"), SW_VC_OTHER);
    assert_int_equal(sw_vclass_of_list(""), SW_VC_UNKNOWN);
    assert_int_equal(sw_vclass_of_list(NULL), SW_VC_UNKNOWN);
}

static void lengths(void **state)
{
    (void)state;
    /* 105,000 t deadweight: an Aframax tanker, about 240 m overall (225 m between
     * perpendiculars by the fit) */
    double l = sw_listed_length_m("105,000", NULL);
    assert_true(l > 215 && l < 235);
    assert_true(fabs(sw_listed_length_m(NULL, "5,000") - 106.4) < 1);
    assert_true(isnan(sw_listed_length_m(NULL, NULL)));
    assert_true(isnan(sw_listed_length_m("unknown", "")));
}

static void rules(void **state)
{
    (void)state;
    struct sw_vmatch_listed l = tanker();
    struct sw_vmatch m;
    struct sw_vmatch_seen s = {9123455, 0, -1, -1, 0};
    assert_true(sw_vmatch(&l, &s, &m) && (m.on & SW_VM_IMO) && m.confidence == 0.95);
    /* a yacht of the same name */
    s = (struct sw_vmatch_seen){0, 366000001, 37, 15, 1};
    assert_false(sw_vmatch(&l, &s, &m));
    assert_string_equal(m.why, "its ship type is not the listed ship's");
    /* a tanker of the same name and size */
    s = (struct sw_vmatch_seen){0, 538000001, 80, 240, 1};
    assert_true(sw_vmatch(&l, &s, &m));
    assert_string_equal(sw_vmatch_corroboration(m.on), "name+type+length");
    /* the same with another valid IMO: ruled out; with an invalid one: no contradiction */
    s.imo = 9074729;
    assert_false(sw_vmatch(&l, &s, &m));
    assert_string_equal(m.why, "its IMO number differs from the listed one");
    s.imo = 9074728;
    assert_true(sw_vmatch(&l, &s, &m));
    /* the name alone */
    s = (struct sw_vmatch_seen){0, 352000001, -1, -1, 1};
    assert_false(sw_vmatch(&l, &s, &m));
    assert_string_equal(m.why, "the name alone, with nothing to corroborate it");
    /* far smaller */
    s = (struct sw_vmatch_seen){0, 477000001, -1, 30, 1};
    assert_false(sw_vmatch(&l, &s, &m));
    /* a cargo ship of the size: merchant classes do not contradict, the size corroborates */
    s = (struct sw_vmatch_seen){0, 477000002, 70, 230, 1};
    assert_true(sw_vmatch(&l, &s, &m));
    assert_string_equal(sw_vmatch_corroboration(m.on), "name+length");
    assert_true(m.confidence == 0.7);
    /* a listed yacht: a yacht of its name and size matches, of its name alone it does not,
     * nor does one too small to have the listed IMO number */
    struct sw_vmatch_listed y = {0, 0, SW_VC_PLEASURE, 60};
    s = (struct sw_vmatch_seen){0, 366000002, 37, 55, 1};
    assert_true(sw_vmatch(&y, &s, &m));
    assert_string_equal(sw_vmatch_corroboration(m.on), "name+type+length");
    y.length_m = NAN;
    assert_false(sw_vmatch(&y, &s, &m));
    y.imo = 1011202;
    s.length_m = 14;
    assert_false(sw_vmatch(&y, &s, &m));
    assert_string_equal(m.why, "it is too small to be the listed ship, which has an IMO number");
    /* the listed MMSI under another ship's valid IMO: a weak match */
    struct sw_vmatch_listed mm = {9123455, 273000001, SW_VC_CARGO, NAN};
    s = (struct sw_vmatch_seen){9074729, 273000001, 70, 100, 0};
    assert_true(sw_vmatch(&mm, &s, &m) && m.confidence == 0.6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(classes), cmocka_unit_test(lengths),
                                       cmocka_unit_test(rules)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
