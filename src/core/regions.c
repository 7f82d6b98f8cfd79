/*-------------------------------------------------------------------------
 *
 * regions.c
 *		The AWS billing region-code table ("USE1" -> us-east-1).
 *
 * Source: AWS "Region billing codes" page
 * (docs.aws.amazon.com/global-infrastructure/latest/regions/
 * aws-region-billing-codes.html), plus GovCloud (UGW1, UGE1) and China
 * (CNN1, CNW1), which that page omits.  Note the two-letter EU for
 * eu-west-1 and APS3 for ap-south-1.  Variants seen in third-party code
 * (EUW1, CAW1, ILCE1, CNN2, CPT) are deliberately absent.
 *
 * IDENTIFICATION
 *		src/core/regions.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "usage_type.h"

static const bc_region_entry regions[] = {
	{"USE1", "us-east-1", "US East (N. Virginia)"},
	{"USE2", "us-east-2", "US East (Ohio)"},
	{"USW1", "us-west-1", "US West (N. California)"},
	{"USW2", "us-west-2", "US West (Oregon)"},
	{"CAN1", "ca-central-1", "Canada (Central)"},
	{"CAN2", "ca-west-1", "Canada West (Calgary)"},
	{"MXC1", "mx-central-1", "Mexico (Central)"},
	{"AFS1", "af-south-1", "Africa (Cape Town)"},
	{"APE1", "ap-east-1", "Asia Pacific (Hong Kong)"},
	{"APE2", "ap-east-2", "Asia Pacific (Taipei)"},
	{"APN1", "ap-northeast-1", "Asia Pacific (Tokyo)"},
	{"APN2", "ap-northeast-2", "Asia Pacific (Seoul)"},
	{"APN3", "ap-northeast-3", "Asia Pacific (Osaka)"},
	{"APS1", "ap-southeast-1", "Asia Pacific (Singapore)"},
	{"APS2", "ap-southeast-2", "Asia Pacific (Sydney)"},
	{"APS3", "ap-south-1", "Asia Pacific (Mumbai)"},
	{"APS4", "ap-southeast-3", "Asia Pacific (Jakarta)"},
	{"APS5", "ap-south-2", "Asia Pacific (Hyderabad)"},
	{"APS6", "ap-southeast-4", "Asia Pacific (Melbourne)"},
	{"APS7", "ap-southeast-5", "Asia Pacific (Malaysia)"},
	{"APS8", "ap-southeast-6", "Asia Pacific (New Zealand)"},
	{"APS9", "ap-southeast-7", "Asia Pacific (Thailand)"},
	{"EU", "eu-west-1", "Europe (Ireland)"},
	{"EUC1", "eu-central-1", "Europe (Frankfurt)"},
	{"EUC2", "eu-central-2", "Europe (Zurich)"},
	{"EUW2", "eu-west-2", "Europe (London)"},
	{"EUW3", "eu-west-3", "Europe (Paris)"},
	{"EUN1", "eu-north-1", "Europe (Stockholm)"},
	{"EUS1", "eu-south-1", "Europe (Milan)"},
	{"EUS2", "eu-south-2", "Europe (Spain)"},
	{"ILC1", "il-central-1", "Israel (Tel Aviv)"},
	{"MEC1", "me-central-1", "Middle East (UAE)"},
	{"MES1", "me-south-1", "Middle East (Bahrain)"},
	{"SAE1", "sa-east-1", "South America (Sao Paulo)"},
	{"UGW1", "us-gov-west-1", "AWS GovCloud (US-West)"},
	{"UGE1", "us-gov-east-1", "AWS GovCloud (US-East)"},
	{"CNN1", "cn-north-1", "China (Beijing)"},
	{"CNW1", "cn-northwest-1", "China (Ningxia)"},
};

#define NREGIONS ((int) (sizeof(regions) / sizeof(regions[0])))

/* region name of a billing code, NULL when the code is not in the table */
const char *
bc_region_name(const char *code, size_t len)
{
	int			i;

	if (code == NULL || len == 0 || len > 4)
		return NULL;
	for (i = 0; i < NREGIONS; i++)
	{
		if (strlen(regions[i].code) == len &&
			memcmp(regions[i].code, code, len) == 0)
			return regions[i].region;
	}
	return NULL;
}

/* number of entries in the table */
int
bc_region_count(void)
{
	return NREGIONS;
}

/* entry i of the table, NULL when out of range */
const bc_region_entry *
bc_region_at(int i)
{
	if (i < 0 || i >= NREGIONS)
		return NULL;
	return &regions[i];
}
