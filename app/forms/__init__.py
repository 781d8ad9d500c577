"""WTForms forms rendered with GOV.UK Frontend widgets."""
